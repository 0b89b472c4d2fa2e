package fakesmtp

import (
	"encoding/json"
	"io"
	"net/http"
)

// Handler is the side HTTP API:
//
//	GET  /messages        accepted messages (add ?raw=1 for the raw bytes)
//	GET  /attempts        {"<message-id>": attempts}
//	GET  /stats           counters, plus "duplicates"
//	POST /schedule        body: a spec; replaces the schedule (400 on a bad spec)
//	POST /reset           forget messages, attempts and counters
func (s *Server) Handler() http.Handler {
	mux := http.NewServeMux()
	writeJSON := func(w http.ResponseWriter, v any) {
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(v)
	}
	mux.HandleFunc("GET /messages", func(w http.ResponseWriter, r *http.Request) {
		msgs := s.Messages()
		if r.URL.Query().Get("raw") != "1" {
			for i := range msgs {
				msgs[i].Raw = nil
			}
		}
		if msgs == nil {
			msgs = []Message{}
		}
		writeJSON(w, msgs)
	})
	mux.HandleFunc("GET /attempts", func(w http.ResponseWriter, r *http.Request) { writeJSON(w, s.AllAttempts()) })
	mux.HandleFunc("GET /stats", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, struct {
			Stats
			Duplicates int    `json:"duplicates"`
			Schedule   string `json:"schedule"`
		}{s.Stats(), s.Duplicates(), s.Schedule().String()})
	})
	mux.HandleFunc("POST /schedule", func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(io.LimitReader(r.Body, 64<<10))
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		sc, err := ParseSchedule(string(body))
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		s.SetSchedule(sc)
		s.logger.Info("fakesmtp: schedule replaced", "schedule", sc.String())
		w.WriteHeader(http.StatusNoContent)
	})
	mux.HandleFunc("POST /reset", func(w http.ResponseWriter, r *http.Request) {
		s.Reset()
		w.WriteHeader(http.StatusNoContent)
	})
	return mux
}
