package engine_test

import (
	"context"
	"fmt"
	"log"
	"os"
	"time"

	"github.com/jobpilot/jobpilot"
	"github.com/jobpilot/jobpilot/engine"
)

// waitUntil polls cond every 10 ms for at most 30 s.
func waitUntil(what string, cond func() bool) {
	for deadline := time.Now().Add(30 * time.Second); !cond(); time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			log.Fatalf("timed out waiting for %s", what)
		}
	}
}

// The scheduler recovers from a crash by itself (the stability guide's
// "scheduler crash recovery"): Supervise checks the River client and the
// database every HealthCheckInterval; when the client has died it waits
// RestartDelay, builds a new client on the store's handle (rescuing this
// node's orphaned jobs first) and starts it, forever. Work queued after
// the crash runs on the new client.
func ExampleEngine_Supervise() {
	ctx := context.Background()
	dir, _ := os.MkdirTemp("", "engine-example")
	defer os.RemoveAll(dir)
	db := openStore(ctx, dir)
	defer db.Close()

	sent := make(chan int64, 1)
	kinds := engine.NewKinds()
	engine.AddKind[SendArgs](kinds, func(_ context.Context, t jobpilot.Task) error {
		sent <- t.ApplicationID
		return nil
	}, engine.KindOptions{})
	e, err := engine.New(db, engine.Options{
		Config:    engine.Config{NodeID: "example", HealthCheckInterval: 20 * time.Millisecond, RestartDelay: 100 * time.Millisecond},
		Kinds:     kinds,
		FastStart: true,
		Logger:    quiet,
	})
	if err != nil {
		log.Fatal(err)
	}
	if err := e.Start(ctx); err != nil {
		log.Fatal(err)
	}
	supervise, stopSupervising := context.WithCancel(ctx)
	supervised := make(chan struct{})
	go func() { defer close(supervised); e.Supervise(supervise) }()

	st := e.Status()
	fmt.Println("running:", st.Running, "restarts:", st.Restarts)
	// The River client dies under the engine (here: stopped behind its back).
	if err := e.Client().Stop(ctx); err != nil {
		log.Fatal(err)
	}
	fmt.Println("crashed; running:", e.Status().Running)
	waitUntil("the supervisor's restart", func() bool { s := e.Status(); return s.Running && s.Restarts == 1 })
	st = e.Status()
	fmt.Println("restarted; running:", st.Running, "restarts:", st.Restarts)
	if err := e.Enqueue(ctx, jobpilot.Task{Kind: jobpilot.TaskSendApplication, ApplicationID: 7}); err != nil {
		log.Fatal(err)
	}
	fmt.Println("sent application", <-sent)

	stopSupervising()
	<-supervised
	if err := e.Stop(ctx); err != nil {
		log.Fatal(err)
	}
	// Output:
	// running: true restarts: 0
	// crashed; running: false
	// restarted; running: true restarts: 1
	// sent application 7
}
