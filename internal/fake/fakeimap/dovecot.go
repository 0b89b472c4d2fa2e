package fakeimap

import (
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"time"

	"github.com/emersion/go-imap/v2/imapclient"
)

// DovecotBinary is where Debian's dovecot-core installs the server.
const DovecotBinary = "/usr/sbin/dovecot"

// Dovecot is a Dovecot IMAP server started for one test with a
// configuration of its own: plain IMAP on a free loopback port, one user
// from a passwd file, Maildir storage in a temporary directory.
type Dovecot struct {
	host           string
	port           int
	user, password string
}

var _ Mailbox = (*Dovecot)(nil)

func (d *Dovecot) Host() string     { return d.host }
func (d *Dovecot) Port() int        { return d.port }
func (d *Dovecot) Username() string { return d.user }
func (d *Dovecot) Password() string { return d.password }

// Append stores raw in folder over IMAP.
func (d *Dovecot) Append(ctx context.Context, folder string, raw []byte) error {
	return Append(ctx, d, folder, raw)
}

// StartDovecot starts Dovecot for the test and stops it at the end. It
// skips the test, saying why, when Dovecot is not installed
// (apt-get install dovecot-imapd) or the test does not run as root (Dovecot
// drops privileges to its own users).
func StartDovecot(t TB) *Dovecot {
	t.Helper()
	uid, gid := dovecotMailOwner(t)
	dir := dovecotDir(t, uid, gid)
	d := &Dovecot{host: "127.0.0.1", port: freePort(t), user: "candidate", password: "dovecot-secret"}
	if err := os.WriteFile(filepath.Join(dir, "passwd"), []byte(d.user+":{PLAIN}"+d.password+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	confPath := filepath.Join(dir, "dovecot.conf")
	if err := os.WriteFile(confPath, []byte(dovecotConf(dir, uid, gid, d.port)), 0o644); err != nil {
		t.Fatal(err)
	}
	exited := runDovecot(t, confPath)
	d.waitForGreeting(t, dir, exited)
	return d
}

// dovecotMailOwner skips the test when Dovecot cannot run here and otherwise
// returns the uid and gid of nobody, the user that owns the Maildir.
func dovecotMailOwner(t TB) (uid, gid int) {
	t.Helper()
	if _, err := os.Stat(DovecotBinary); err != nil {
		t.Skip("Dovecot is not installed (apt-get install dovecot-imapd): the Dovecot case is skipped")
	}
	if os.Geteuid() != 0 {
		t.Skip("Dovecot needs root to start with a configuration of its own: the Dovecot case is skipped")
	}
	mailUser, err := user.Lookup("nobody")
	if err != nil {
		t.Skip("no user nobody to own the Maildir: the Dovecot case is skipped")
	}
	uid, _ = strconv.Atoi(mailUser.Uid)
	gid, _ = strconv.Atoi(mailUser.Gid)
	return uid, gid
}

// dovecotDir makes the server's directory, removed at the end of the test,
// with run, state and a mail directory owned by uid and gid.
func dovecotDir(t TB, uid, gid int) string {
	t.Helper()
	// Dovecot's processes run as other users: the directory must be
	// reachable by them, which a test's private temporary directory is not.
	dir, err := os.MkdirTemp("", "jobpilot-dovecot-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	if err := os.Chmod(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, sub := range []string{"run", "state", "mail"} {
		if err := os.MkdirAll(filepath.Join(dir, sub), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Chown(filepath.Join(dir, "mail"), uid, gid); err != nil {
		t.Fatal(err)
	}
	return dir
}

// dovecotConf is the server's whole configuration: everything under dir,
// plain IMAP on port only, users from dir/passwd, mail stored as uid and gid.
func dovecotConf(dir string, uid, gid, port int) string {
	return fmt.Sprintf(`base_dir = %[1]s/run
state_dir = %[1]s/state
log_path = %[1]s/dovecot.log
protocols = imap
listen = 127.0.0.1
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
mail_location = maildir:%[1]s/mail/%%u
first_valid_uid = 1
passdb {
  driver = passwd-file
  args = scheme=PLAIN username_format=%%u %[1]s/passwd
}
userdb {
  driver = static
  args = uid=%[2]d gid=%[3]d home=%[1]s/mail/%%u
}
service imap-login {
  chroot =
  inet_listener imap {
    port = %[4]d
  }
  inet_listener imaps {
    port = 0
  }
}
service anvil {
  chroot =
}
`, dir, uid, gid, port)
}

// runDovecot starts Dovecot in the foreground with the configuration at
// confPath and stops it at the end of the test (interrupt, then kill after
// 10 s). The channel is closed when the process exits.
func runDovecot(t TB, confPath string) <-chan struct{} {
	t.Helper()
	cmd := exec.Command(DovecotBinary, "-F", "-c", confPath)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan struct{})
	go func() { _ = cmd.Wait(); close(exited) }()
	t.Cleanup(func() {
		_ = cmd.Process.Signal(os.Interrupt)
		select {
		case <-exited:
		case <-time.After(10 * time.Second):
			_ = cmd.Process.Kill()
			<-exited
		}
	})
	return exited
}

// waitForGreeting returns once the server greets an IMAP client; it fails the
// test with the server's log (in dir) when the server exits first or does not
// greet within 15 s.
func (d *Dovecot) waitForGreeting(t TB, dir string, exited <-chan struct{}) {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for {
		conn, err := net.DialTimeout("tcp", net.JoinHostPort(d.host, strconv.Itoa(d.port)), time.Second)
		if err == nil {
			c := imapclient.New(conn, nil)
			err = c.WaitGreeting()
			c.Close()
			if err == nil {
				return
			}
		}
		select {
		case <-exited:
			log, _ := os.ReadFile(filepath.Join(dir, "dovecot.log"))
			t.Fatal("dovecot exited: " + string(log))
		default:
		}
		if time.Now().After(deadline) {
			log, _ := os.ReadFile(filepath.Join(dir, "dovecot.log"))
			t.Fatal("dovecot did not answer within 15 s: " + string(log))
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func freePort(t TB) int {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}
