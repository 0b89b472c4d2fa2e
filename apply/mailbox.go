package apply

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/jobpilot/jobpilot"
	"github.com/jobpilot/jobpilot/store"
)

// ReadMailboxArgs reads the candidate's mailbox: one periodic job
// (MAILBOX_INTERVAL) for every configured folder.
type ReadMailboxArgs struct{}

func (ReadMailboxArgs) Kind() string                  { return string(jobpilot.TaskReadMailbox) }
func (ReadMailboxArgs) Task() jobpilot.Task           { return jobpilot.Task{Kind: jobpilot.TaskReadMailbox} }
func (*ReadMailboxArgs) FromTask(jobpilot.Task) error { return nil }

// Inbox is what the mailbox loop needs besides the store: the reader, its
// policy, where it keeps its place, and its settings.
type Inbox struct {
	Reader jobpilot.MailboxReader
	// Policy runs each read under the "mailbox" service (retries, the
	// "mailbox" breaker, a per-attempt timeout).
	Policy jobpilot.Executor
	Store  jobpilot.InboxStore
	// Folders to read (IMAP_FOLDERS); none means INBOX.
	Folders []string
	// UncertainGrace is how long a needs_review application waits for its
	// copy before it is marked "no copy arrived" (UNCERTAIN_GRACE).
	UncertainGrace time.Duration
	// Batch is the most messages read at once; 0 means 200.
	Batch int
}

// ReplyWindow is how long after sending a message from the recipient's
// domain is taken for a reply when it does not name our Message-ID.
const ReplyWindow = 90 * 24 * time.Hour

// ReadMailbox reads every folder from where the last run stopped and acts
// on what it finds:
//   - our own blind copy of a needs_review application proves the server
//     accepted it: the application becomes sent, with the evidence;
//   - a bounce marks its application bounced (reason and status code) and,
//     when hard, the address bad for future postings;
//   - a person's reply stops follow-ups and moves the tracker (replied,
//     interviewing, rejected); an automatic one is only recorded.
//
// Then needs_review applications older than UNCERTAIN_GRACE whose copy did
// not come are marked "no copy arrived" — only after a run that read every
// folder, so an unreachable server never makes a copy look missing. Nothing
// is ever resent automatically.
//
// Reading is read-only and resumable: the cursor (UIDVALIDITY and last UID)
// is saved after each batch, so a crash or an open breaker loses nothing and
// a message handled twice changes nothing more (every transition is a
// compare-and-swap). An open breaker returns its error: the engine snoozes
// the job until the breaker half-opens.
func (s *Service) ReadMailbox(ctx context.Context, t jobpilot.Task) error {
	in := s.Inbox
	if in == nil || in.Reader == nil {
		return nil
	}
	folders := in.Folders
	if len(folders) == 0 {
		folders = []string{"INBOX"}
	}
	idx := &replyIndex{svc: s}
	var errs []error
	for _, folder := range folders {
		if err := s.readFolder(ctx, folder, idx); err != nil {
			if isOpen(err) || ctx.Err() != nil {
				return err
			}
			s.log().Warn("mailbox folder not read", "folder", folder, "err", err)
			errs = append(errs, fmt.Errorf("folder %s: %w", folder, err))
		}
	}
	if err := s.settleRecordedCopies(ctx); err != nil {
		return err
	}
	if len(errs) > 0 {
		return errors.Join(errs...)
	}
	return s.markMissingCopies(ctx)
}

func (s *Service) readFolder(ctx context.Context, folder string, idx *replyIndex) error {
	in := s.Inbox
	batch := in.Batch
	if batch <= 0 {
		batch = 200
	}
	cur, err := in.Store.MailboxCursor(ctx, folder)
	if err != nil {
		return err
	}
	read := func(after uint32) (uint32, []jobpilot.InboxMessage, error) {
		var (
			validity uint32
			msgs     []jobpilot.InboxMessage
		)
		err := in.Policy.Do(ctx, func(ctx context.Context) error {
			var err error
			validity, msgs, err = in.Reader.Read(ctx, folder, after, batch)
			return err
		})
		return validity, msgs, err
	}
	for {
		validity, msgs, err := read(cur.LastUID)
		if err != nil {
			return err
		}
		if validity != cur.UIDValidity {
			if cur.UIDValidity != 0 {
				s.log().Warn("mailbox folder renumbered (UIDVALIDITY changed): reading it again from the start",
					"folder", folder, "was", cur.UIDValidity, "now", validity)
			}
			after := cur.LastUID
			cur = jobpilot.MailboxCursor{Folder: folder, UIDValidity: validity}
			if after != 0 {
				if validity, msgs, err = read(0); err != nil {
					return err
				}
				cur.UIDValidity = validity
			}
		}
		for _, m := range msgs {
			if err := s.handleMail(ctx, m, idx); err != nil {
				// Keep the place of what was handled; this one is read again.
				if serr := in.Store.SaveMailboxCursor(context.WithoutCancel(ctx), cur); serr != nil {
					err = errors.Join(err, serr)
				}
				return err
			}
			cur.LastUID = m.UID
		}
		if err := in.Store.SaveMailboxCursor(ctx, cur); err != nil {
			return err
		}
		if len(msgs) < batch {
			return nil
		}
	}
}

// handleMail ties one message to an application and acts on it. Only a
// store failure is returned: a message that matches nothing is skipped.
func (s *Service) handleMail(ctx context.Context, m jobpilot.InboxMessage, idx *replyIndex) error {
	// Our own copy carries the application's Message-ID.
	if app, err := s.appByMessageID(ctx, m.MessageID); err != nil || app != nil {
		if err != nil {
			return err
		}
		return s.settleCopy(ctx, app, m)
	}
	if m.Class == jobpilot.MailBounce {
		return s.handleBounce(ctx, m, idx)
	}
	app, match, err := idx.replyTo(ctx, m)
	if err != nil || app == nil {
		return err
	}
	return s.handleReply(ctx, app, m, match)
}

// followUpIDRE reads the application of a follow-up's Message-ID
// (jobpilot.FollowUpMessageID).
var followUpIDRE = regexp.MustCompile(`^<application-(\d+)-followup@`)

// appByMessageID finds the application whose email (or follow-up) had id;
// nil when none did.
func (s *Service) appByMessageID(ctx context.Context, id string) (*jobpilot.Application, error) {
	if id == "" {
		return nil, nil
	}
	app, err := s.Inbox.Store.ApplicationByMessageID(ctx, id)
	if err == nil {
		return app, nil
	}
	if jobpilot.ErrorCode(err) != jobpilot.ENOTFOUND {
		return nil, err
	}
	if m := followUpIDRE.FindStringSubmatch(id); m != nil {
		n, _ := strconv.ParseInt(m[1], 10, 64)
		app, err := s.Store.Application(ctx, n)
		if jobpilot.ErrorCode(err) == jobpilot.ENOTFOUND {
			return nil, nil
		}
		// The id must be ours, not a look-alike from another sender.
		if err == nil && domainOf(strings.TrimSuffix(id, ">")) == domainOf(strings.TrimSuffix(app.MessageID, ">")) {
			return app, nil
		}
		return nil, err
	}
	return nil, nil
}

// settleCopy: the copy of a needs_review application proves that the mail
// server accepted it.
func (s *Service) settleCopy(ctx context.Context, app *jobpilot.Application, m jobpilot.InboxMessage) error {
	if m.Class == jobpilot.MailBounce {
		return nil
	}
	if app.Status == jobpilot.StatusSending {
		// The copy came while the send is still recorded as in flight: the
		// server had the message, but whether the attempt will end in
		// "sent" or in review (a cut reply, a killed process) is not known
		// yet, and the cursor moves past this message. The evidence is kept,
		// and settleRecordedCopies uses it if the application reaches review.
		s.event(ctx, app.ID, jobpilot.EventCopy, fmt.Sprintf("copy seen in the mailbox while the send was in flight (%s, UID %d)", m.Folder, m.UID),
			map[string]string{"folder": m.Folder, "uid": strconv.FormatUint(uint64(m.UID), 10), "message_id": m.MessageID,
				"date": m.Date.Format(time.RFC3339), copySeenKey: "true"})
		return nil
	}
	if app.Status != jobpilot.StatusNeedsReview {
		return nil
	}
	sentAt := m.Date
	if sentAt.IsZero() {
		sentAt = s.now()
	}
	evidence := fmt.Sprintf("its copy arrived in the mailbox (%s, UID %d, dated %s): the mail server had accepted it",
		m.Folder, m.UID, sentAt.Format(time.RFC1123Z))
	_, err := s.Store.Transition(ctx, app.ID, jobpilot.StatusSent, jobpilot.Change{
		From: []jobpilot.Status{jobpilot.StatusNeedsReview}, Reason: evidence, SentAt: &sentAt, Error: ptr(""),
	})
	if isConflict(err) {
		return nil
	}
	if err != nil {
		return err
	}
	s.event(ctx, app.ID, jobpilot.EventCopy, "settled from the mailbox: "+evidence,
		map[string]string{"folder": m.Folder, "uid": strconv.FormatUint(uint64(m.UID), 10), "message_id": m.MessageID})
	s.log().Info("uncertain send settled from its copy", "application", app.ID, "folder", m.Folder, "uid", m.UID)
	return nil
}

// handleBounce marks the failed application bounced and, for a hard
// bounce, the address bad.
func (s *Service) handleBounce(ctx context.Context, m jobpilot.InboxMessage, idx *replyIndex) error {
	b := m.Bounce
	app, err := s.appByMessageID(ctx, b.MessageID)
	if err != nil {
		return err
	}
	if app == nil {
		if app, err = idx.byRecipient(ctx, b.Recipient, m.Date); err != nil || app == nil {
			return err
		}
	}
	if b.Hard && b.Recipient != "" {
		if err := s.Inbox.Store.MarkAddressBad(ctx, jobpilot.BadAddress{Address: b.Recipient, Status: b.Status, Reason: b.Reason, ApplicationID: app.ID}); err != nil {
			return err
		}
	}
	why := fmt.Sprintf("bounced: %s %s", b.Status, b.Reason)
	if !b.Hard {
		why = "bounced (temporary failure, given up by the mail server): " + strings.TrimSpace(b.Status+" "+b.Reason)
	}
	why = strings.TrimSpace(why)
	_, err = s.Store.Transition(ctx, app.ID, jobpilot.StatusBounced, jobpilot.Change{
		From:   []jobpilot.Status{jobpilot.StatusSent, jobpilot.StatusFollowedUp, jobpilot.StatusNeedsReview},
		Reason: why, Error: ptr(why),
	})
	if isConflict(err) {
		return nil // already bounced, or moved on
	}
	if err != nil {
		return err
	}
	s.event(ctx, app.ID, jobpilot.EventBounce, why, map[string]string{
		"recipient": b.Recipient, "status": b.Status, "hard": strconv.FormatBool(b.Hard), "date": m.Date.Format(time.RFC3339),
	})
	s.log().Warn("application bounced", "application", app.ID, "status", b.Status, "hard", b.Hard)
	return nil
}

// handleReply records a reply and, when a person wrote it, stops
// follow-ups and moves the tracker. Any reply in the thread also proves
// that a needs_review application was delivered.
func (s *Service) handleReply(ctx context.Context, app *jobpilot.Application, m jobpilot.InboxMessage, match string) error {
	if app.Status == jobpilot.StatusNeedsReview && match == MatchThread {
		if err := s.settleCopy(ctx, app, m); err != nil {
			return err
		}
		cur, err := s.Store.Application(ctx, app.ID)
		if err != nil {
			return err
		}
		app = cur
	}
	data := map[string]string{
		"from": m.From, "date": m.Date.Format(time.RFC3339), "subject": m.Subject,
		"class": string(m.Class), "match": match, "message_id": m.MessageID,
	}
	what := map[jobpilot.MailClass]string{
		jobpilot.MailAutoReply: "automatic reply", jobpilot.MailRejection: "rejection",
		jobpilot.MailInterview: "interview or next step", jobpilot.MailOther: "reply",
	}[m.Class]
	summary := fmt.Sprintf("%s from %s on %s: %q (matched by %s)", what, m.From, m.Date.Format("2 Jan 2006 15:04"), m.Subject, match)
	if !m.Class.Human() {
		s.event(ctx, app.ID, jobpilot.EventReply, summary, data)
		return nil
	}
	to := map[jobpilot.MailClass]jobpilot.Status{
		jobpilot.MailRejection: jobpilot.StatusRejected, jobpilot.MailInterview: jobpilot.StatusInterviewing,
		jobpilot.MailOther: jobpilot.StatusReplied,
	}[m.Class]
	if app.Status != to && app.Status.CanTransition(to) {
		_, err := s.Store.Transition(ctx, app.ID, to, jobpilot.Change{From: []jobpilot.Status{app.Status}, Reason: summary})
		if err != nil && !isConflict(err) {
			return err
		}
	}
	s.event(ctx, app.ID, jobpilot.EventReply, summary, data)
	s.log().Info("reply found", "application", app.ID, "class", m.Class, "match", match)
	if m.Class == jobpilot.MailInterview && len(s.Notifiers) > 0 {
		// Told at once, by a job of its own: a slow channel never holds
		// the mailbox (unique per application: a message read twice
		// notifies once while the first job is queued).
		task := jobpilot.Task{Kind: jobpilot.TaskNotifyInterview, ApplicationID: app.ID}
		if _, err := s.Store.Update(ctx, app.ID, jobpilot.Change{Tasks: []jobpilot.Task{task}}); err != nil {
			s.log().Warn("interview notification not queued", "application", app.ID, "err", err)
		}
	}
	return nil
}

// markMissingCopies leaves needs_review applications whose copy did not
// arrive within the grace period in review, saying so; the candidate
// resends them with one action (Reopen, "send_again").
// copySeenKey marks a copy event recorded while the send was in flight.
const copySeenKey = "seen_while_sending"

// settleRecordedCopies settles the needs_review applications whose copy
// was read while their send was still in flight (settleCopy kept the
// evidence): the mailbox will not show that message again.
func (s *Service) settleRecordedCopies(ctx context.Context) error {
	f := jobpilot.ApplicationFilter{Statuses: []jobpilot.Status{jobpilot.StatusNeedsReview}}
	for app, err := range store.AllApplications(ctx, s.Store, f) {
		if err != nil {
			return err
		}
		evs, err := s.Store.Events(ctx, jobpilot.EventFilter{ApplicationID: app.ID, Kinds: []string{jobpilot.EventCopy}, Limit: 20})
		if err != nil {
			return err
		}
		for _, e := range evs {
			if e.Data[copySeenKey] != "true" || e.Data["message_id"] != app.MessageID {
				continue
			}
			uid, _ := strconv.ParseUint(e.Data["uid"], 10, 32)
			date, _ := time.Parse(time.RFC3339, e.Data["date"])
			m := jobpilot.InboxMessage{Folder: e.Data["folder"], UID: uint32(uid), Date: date, MessageID: app.MessageID}
			if err := s.settleCopy(ctx, app, m); err != nil {
				return err
			}
			break
		}
	}
	return nil
}

func (s *Service) markMissingCopies(ctx context.Context) error {
	grace := s.Inbox.UncertainGrace
	if grace <= 0 {
		return nil
	}
	cutoff := s.now().Add(-grace)
	f := jobpilot.ApplicationFilter{Statuses: []jobpilot.Status{jobpilot.StatusNeedsReview}}
	for app, err := range store.AllApplications(ctx, s.Store, f) {
		if err != nil {
			return err
		}
		if !app.UpdatedAt.Before(cutoff) || strings.HasPrefix(app.Error, jobpilot.NoCopyArrived) {
			continue
		}
		why := fmt.Sprintf("%s within %s: the mail server most likely never accepted it; send it again with one action", jobpilot.NoCopyArrived, grace)
		if app.Error != "" {
			why += " (" + app.Error + ")"
		}
		if _, err := s.Store.Update(ctx, app.ID, jobpilot.Change{From: []jobpilot.Status{jobpilot.StatusNeedsReview}, Error: &why}); err != nil {
			if isConflict(err) {
				continue
			}
			return err
		}
		s.event(ctx, app.ID, jobpilot.EventNote, why, map[string]string{"grace": grace.String()})
	}
	return nil
}

// replyIndex finds the application a message answers: by its thread
// (In-Reply-To, References), or else by the sender's address or domain
// among the applications sent to it within ReplyWindow. It loads the
// applications once per run, on first need.
type replyIndex struct {
	svc    *Service
	loaded bool
	byAddr map[string][]*jobpilot.Application
	byDom  map[string][]*jobpilot.Application
	ours   map[string]bool // the candidates' and our sender addresses
}

func (x *replyIndex) replyTo(ctx context.Context, m jobpilot.InboxMessage) (app *jobpilot.Application, match string, err error) {
	if err := x.load(ctx); err != nil {
		return nil, "", err
	}
	// The candidate's own mail in the thread (a reply of theirs, a copy in
	// a sent folder) is not an answer.
	if m.From == "" || x.ours[m.From] {
		return nil, "", nil
	}
	ids := append([]string{m.InReplyTo}, m.References...)
	for i := len(ids) - 1; i >= 0; i-- { // the nearest reference last
		if app, err := x.svc.appByMessageID(ctx, ids[i]); err != nil || app != nil {
			return app, MatchThread, err
		}
	}
	if app := latest(x.byAddr[m.From], m.Date); app != nil {
		return app, MatchSender, nil
	}
	domain := domainOf(m.From)
	if freeMail[domain] {
		return nil, "", nil // anyone can write from there
	}
	return latest(x.byDom[domain], m.Date), MatchDomain, nil
}

// How a reply was tied to its application, as recorded in the reply
// event's "match". Only a thread match proves that an uncertain send was
// delivered; the others are weaker and say so.
const (
	MatchThread = "thread"                  // In-Reply-To or References names our Message-ID
	MatchSender = "sender address (weaker)" // written by the address we sent to, outside the thread
	MatchDomain = "sender domain (weaker)"  // written from the recipient's domain, within ReplyWindow
)

// byRecipient is the latest application sent to addr before date.
func (x *replyIndex) byRecipient(ctx context.Context, addr string, date time.Time) (*jobpilot.Application, error) {
	if err := x.load(ctx); err != nil {
		return nil, err
	}
	return latest(x.byAddr[strings.ToLower(addr)], date), nil
}

func (x *replyIndex) load(ctx context.Context) error {
	if x.loaded {
		return nil
	}
	x.byAddr, x.byDom, x.ours = map[string][]*jobpilot.Application{}, map[string][]*jobpilot.Application{}, map[string]bool{}
	if x.svc.From != "" {
		x.ours[strings.ToLower(x.svc.From)] = true
	}
	profiles, err := x.svc.Store.Profiles(ctx)
	if err != nil {
		return err
	}
	for _, p := range profiles {
		if e := p.Resume.Basics.Email; e != "" {
			x.ours[strings.ToLower(e)] = true
		}
	}
	f := jobpilot.ApplicationFilter{Statuses: []jobpilot.Status{jobpilot.StatusSent, jobpilot.StatusFollowedUp,
		jobpilot.StatusNeedsReview, jobpilot.StatusReplied, jobpilot.StatusInterviewing}}
	posts := map[int64]string{}
	for app, err := range store.AllApplications(ctx, x.svc.Store, f) {
		if err != nil {
			return err
		}
		to, ok := posts[app.PostingID]
		if !ok {
			post, err := x.svc.Store.Posting(ctx, app.PostingID)
			if err != nil {
				return err
			}
			to = strings.ToLower(post.ContactEmail)
			posts[app.PostingID] = to
		}
		if to == "" {
			continue
		}
		x.byAddr[to] = append(x.byAddr[to], app)
		x.byDom[domainOf(to)] = append(x.byDom[domainOf(to)], app)
	}
	x.loaded = true
	return nil
}

// latest is the application sent last before date and at most ReplyWindow
// earlier (a needs_review one counts from its last change).
func latest(apps []*jobpilot.Application, date time.Time) *jobpilot.Application {
	var best *jobpilot.Application
	var bestAt time.Time
	for _, a := range apps {
		at := a.UpdatedAt
		if a.SentAt != nil {
			at = *a.SentAt
		}
		if !date.IsZero() && (at.After(date.Add(time.Hour)) || date.Sub(at) > ReplyWindow) {
			continue
		}
		if best == nil || at.After(bestAt) {
			best, bestAt = a, at
		}
	}
	return best
}

// freeMail are domains anyone can write from: a sender there is matched by
// address only, never by domain.
var freeMail = map[string]bool{
	"gmail.com": true, "googlemail.com": true, "outlook.com": true, "hotmail.com": true, "live.com": true,
	"yahoo.com": true, "icloud.com": true, "me.com": true, "proton.me": true, "protonmail.com": true,
	"gmx.de": true, "gmx.net": true, "web.de": true, "aol.com": true, "mail.ru": true, "yandex.ru": true,
	"fastmail.com": true, "zoho.com": true, "qq.com": true, "163.com": true,
}
