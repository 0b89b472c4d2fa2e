package jobpilot

import (
	"context"
	"time"
)

// MinAPITokenLength is the shortest JOBPILOT_API_TOKEN accepted (in
// characters): a token guessed over the network must be out of reach, and 32
// random characters of base64 carry well over 128 bits. Generated tokens
// have 256 bits (43 characters).
const MinAPITokenLength = 32

// Session is one dashboard sign-in, kept in the database so that signing
// out ends it on the server: a cookie replayed after logout, or after "sign
// out everywhere", finds no session. ID is a digest of the cookie's secret,
// never the secret itself, so reading the table does not let anyone in.
type Session struct {
	ID        string    `json:"-"`
	CreatedAt time.Time `json:"created_at"`
	ExpiresAt time.Time `json:"expires_at"`
}

// SessionStore keeps dashboard sessions (the store implements it).
type SessionStore interface {
	// CreateSession stores s, and deletes the sessions expired at
	// s.CreatedAt so the table holds only live ones.
	CreateSession(ctx context.Context, s *Session) error
	// Session returns the session with this ID; ENOTFOUND when there is
	// none. The caller compares ExpiresAt with its clock.
	Session(ctx context.Context, id string) (*Session, error)
	// DeleteSession ends one session; a missing one is not an error.
	DeleteSession(ctx context.Context, id string) error
	// DeleteSessions ends every session ("sign out everywhere") and returns
	// how many there were.
	DeleteSessions(ctx context.Context) (int, error)
}
