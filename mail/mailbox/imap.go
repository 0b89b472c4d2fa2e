// Package mailbox reads the candidate's mailbox over IMAP (go-imap v2's
// client), read-only, and makes sense of what it finds: replies to our
// applications, delivery failure reports and our own blind copies (Parse).
// The pipeline decides what each one means for an application (package
// apply); this package knows mail, not applications.
package mailbox

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"slices"
	"strconv"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"

	"github.com/jobpilot/jobpilot"
)

// TLS modes of Config.TLS (IMAP_TLS).
const (
	TLSImplicit = "tls"      // TLS from the first byte (IMAPS, port 993), the default
	TLSStartTLS = "starttls" // plain connection upgraded with STARTTLS, which is mandatory
	TLSNone     = "none"     // no encryption (local servers and tests only)
)

// DefaultPort is IMAP_PORT's default for a TLS mode: 993 for implicit TLS,
// 143 otherwise.
func DefaultPort(tlsMode string) int {
	if tlsMode == TLSImplicit || tlsMode == "" {
		return 993
	}
	return 143
}

// DefaultFolders are the folders read when IMAP_FOLDERS is unset.
var DefaultFolders = []string{"INBOX"}

// MaxFetch bounds the bytes fetched of one message: enough for every header,
// the text of a reply and a delivery report, not for the attachments of our
// own copies (which are recognised by their Message-ID alone).
const MaxFetch = 256 << 10

// Config is the mailbox the reader logs in to.
type Config struct {
	Host     string // IMAP_HOST; required
	Port     int    // IMAP_PORT; 0 = DefaultPort(TLS)
	Username string // IMAP_USERNAME
	Password string // IMAP_PASSWORD (secret)
	TLS      string // IMAP_TLS: TLSImplicit (default, also for ""), TLSStartTLS or TLSNone
	// TLSConfig replaces the default TLS settings (tests trust their own CA).
	TLSConfig *tls.Config
	Logger    *slog.Logger
}

// Reader reads new messages of a folder (jobpilot.MailboxReader): one
// connection per Read, the folder opened with EXAMINE and every body
// fetched with BODY.PEEK, so nothing in the mailbox changes, not even the
// \Seen flag.
type Reader struct {
	cfg  Config
	port int
	log  *slog.Logger
}

var _ jobpilot.MailboxReader = (*Reader)(nil)

// New checks cfg without connecting.
func New(cfg Config) (*Reader, error) {
	if cfg.Host == "" {
		return nil, jobpilot.FieldError("IMAP_HOST", "is required to read the mailbox")
	}
	if cfg.TLS == "" {
		cfg.TLS = TLSImplicit
	}
	if !slices.Contains([]string{TLSImplicit, TLSStartTLS, TLSNone}, cfg.TLS) {
		return nil, jobpilot.FieldError("IMAP_TLS", "%q is not one of tls, starttls, none", cfg.TLS)
	}
	port := cfg.Port
	if port == 0 {
		port = DefaultPort(cfg.TLS)
	}
	log := cfg.Logger
	if log == nil {
		log = slog.Default()
	}
	return &Reader{cfg: cfg, port: port, log: log}, nil
}

// Read logs in, examines folder and returns its UIDVALIDITY and at most
// limit messages with a UID above after, parsed, in UID order. ctx bounds
// everything: when it ends the connection is closed.
//
// Errors: a failure to connect or a dropped connection is Transient; the
// server's NO or BAD (bad credentials, no such folder) is Permanent, except
// the codes that say "later" (UNAVAILABLE, INUSE, LIMIT).
func (r *Reader) Read(ctx context.Context, folder string, after uint32, limit int) (uint32, []jobpilot.InboxMessage, error) {
	if limit <= 0 {
		limit = 100
	}
	c, err := r.dial(ctx)
	if err != nil {
		return 0, nil, imapError(ctx, "connect", err)
	}
	stop := context.AfterFunc(ctx, func() { c.Close() })
	defer func() {
		stop()
		c.Close()
	}()
	if err := c.Login(r.cfg.Username, r.cfg.Password).Wait(); err != nil {
		return 0, nil, imapError(ctx, "log in", err)
	}
	sel, err := c.Select(folder, &imap.SelectOptions{ReadOnly: true}).Wait()
	if err != nil {
		return 0, nil, imapError(ctx, "examine "+folder, err)
	}
	if sel.NumMessages == 0 || (sel.UIDNext != 0 && uint32(sel.UIDNext) <= after+1) {
		_ = c.Logout().Wait()
		return sel.UIDValidity, nil, nil
	}
	found, err := c.UIDSearch(&imap.SearchCriteria{UID: []imap.UIDSet{{imap.UIDRange{Start: imap.UID(after + 1), Stop: 0}}}}, nil).Wait()
	if err != nil {
		return 0, nil, imapError(ctx, "search "+folder, err)
	}
	// "n:*" always matches the highest UID, even below n: keep the new ones.
	var uids []imap.UID
	for _, u := range found.AllUIDs() {
		if uint32(u) > after {
			uids = append(uids, u)
		}
	}
	slices.Sort(uids)
	if len(uids) > limit {
		uids = uids[:limit]
	}
	if len(uids) == 0 {
		_ = c.Logout().Wait()
		return sel.UIDValidity, nil, nil
	}
	bufs, err := c.Fetch(imap.UIDSetNum(uids...), &imap.FetchOptions{
		UID:         true,
		BodySection: []*imap.FetchItemBodySection{{Peek: true, Partial: &imap.SectionPartial{Offset: 0, Size: MaxFetch}}},
	}).Collect()
	if err != nil {
		return 0, nil, imapError(ctx, "fetch "+folder, err)
	}
	out := make([]jobpilot.InboxMessage, 0, len(bufs))
	for _, b := range bufs {
		var raw []byte
		for _, s := range b.BodySection {
			raw = s.Bytes
		}
		m := Parse(raw)
		m.Folder, m.UID = folder, uint32(b.UID)
		out = append(out, m)
	}
	slices.SortFunc(out, func(a, b jobpilot.InboxMessage) int { return int(int64(a.UID) - int64(b.UID)) })
	_ = c.Logout().Wait()
	r.log.DebugContext(ctx, "mailbox: read", "folder", folder, "after", after, "messages", len(out))
	return sel.UIDValidity, out, nil
}

func (r *Reader) dial(ctx context.Context) (*imapclient.Client, error) {
	addr := net.JoinHostPort(r.cfg.Host, strconv.Itoa(r.port))
	var d net.Dialer
	conn, err := d.DialContext(ctx, "tcp", addr)
	if err != nil {
		return nil, err
	}
	tlsConfig := r.cfg.TLSConfig
	if tlsConfig == nil {
		tlsConfig = &tls.Config{MinVersion: tls.VersionTLS12}
	}
	tlsConfig = tlsConfig.Clone()
	if tlsConfig.ServerName == "" {
		tlsConfig.ServerName = r.cfg.Host
	}
	// A server that accepts the connection and then says nothing must not
	// hold the reader past ctx.
	if dl, ok := ctx.Deadline(); ok {
		_ = conn.SetDeadline(dl)
	}
	opts := &imapclient.Options{TLSConfig: tlsConfig}
	switch r.cfg.TLS {
	case TLSImplicit:
		tc := tls.Client(conn, tlsConfig)
		if err := tc.HandshakeContext(ctx); err != nil {
			conn.Close()
			return nil, err
		}
		c := imapclient.New(tc, opts)
		return c, waitGreeting(c)
	case TLSStartTLS:
		return imapclient.NewStartTLS(conn, opts)
	default:
		c := imapclient.New(conn, opts)
		return c, waitGreeting(c)
	}
}

func waitGreeting(c *imapclient.Client) error {
	if err := c.WaitGreeting(); err != nil {
		c.Close()
		return err
	}
	return nil
}

// imapError turns an IMAP or network error into our kinds.
func imapError(ctx context.Context, op string, err error) error {
	if ctx.Err() != nil {
		return jobpilot.Transient(fmt.Errorf("mailbox: %s: %w (%w)", op, ctx.Err(), err))
	}
	var ie *imap.Error
	if errors.As(err, &ie) {
		switch ie.Code {
		case imap.ResponseCodeUnavailable, imap.ResponseCodeInUse, imap.ResponseCodeLimit:
			return jobpilot.Transient(fmt.Errorf("mailbox: %s: %w", op, err))
		}
		return jobpilot.Permanent(fmt.Errorf("mailbox: %s: %w", op, err))
	}
	var cert *tls.CertificateVerificationError
	if errors.As(err, &cert) {
		return jobpilot.Permanent(fmt.Errorf("mailbox: %s: %w", op, err))
	}
	return jobpilot.Transient(fmt.Errorf("mailbox: %s: %w", op, err))
}
