package httpapi

import "github.com/jobpilot/jobpilot"

// queueCard is what one review-queue card shows, worked out in Go before
// the template runs: the template only reads fields and tests booleans.
// A card rendered from the stored application directly cost about 500
// allocations (html/template calls every comparison, method and function
// through reflection, and an embedded struct's fields are looked up by a
// search), which was most of the page's time at 20 clients; see
// docs/design-notes.md "The review queue is one keyset query".
type queueCard struct {
	ID                             int64
	Status                         jobpilot.Status
	StatusLabel                    string
	Score                          int
	Title, Company, Location       string
	Source, Writer                 string
	Remote, Example, Closed        bool
	Selectable, Picked, NoDocument bool
	// ByEmail: the application goes out by email to Recipient (nil when
	// none is known); otherwise LinkHost is the site it is applied on.
	ByEmail   bool
	Recipient *jobpilot.Recipient
	LinkHost  string
	Why       jobpilot.Match
	Guard     jobpilot.GuardReport
	// The card's one action: approve, cancel sending, restore, or a link
	// (LinkURL, labelled LinkLabel) to apply on the site.
	CanApprove, CanCancel, CanRestore bool
	LinkURL, LinkLabel                string
}

// cardOf is the card of one queue item; picked ticks its checkbox.
func cardOf(it jobpilot.QueueItem, picked bool) queueCard {
	a, p := it.Application, it.Posting
	c := queueCard{
		ID: a.ID, Status: a.Status, StatusLabel: a.StatusLabel(), Score: a.Score,
		Title: p.Title, Company: p.Company, Location: p.Location, Source: p.Source, Writer: a.Writer,
		Remote: p.Remote, Example: a.Example, Closed: p.ClosedAt != nil,
		NoDocument: !it.HasDocuments, ByEmail: a.ApplyVia == jobpilot.ApplyViaEmail,
		Why: a.Explanation, Guard: a.Guard,
	}
	c.Selectable = a.Status == jobpilot.StatusReady
	c.Picked = c.Selectable && picked
	if c.ByEmail {
		c.Recipient = cardRecipient(a, p.ContactEmail, p.URL, p.ApplyURL)
	} else if c.LinkHost = hostOf(p.ApplyURL); c.LinkHost == "" {
		c.LinkHost = hostOf(p.URL)
	}
	switch {
	case a.Status == jobpilot.StatusReady && c.ByEmail && it.HasDocuments:
		c.CanApprove = true
	case a.Status == jobpilot.StatusApproved:
		c.CanCancel = true
	case a.Status == jobpilot.StatusDismissed:
		c.CanRestore = true
	case !c.ByEmail && p.ApplyURL != "":
		c.LinkURL, c.LinkLabel = p.ApplyURL, "Apply on the site"
	case !c.ByEmail && p.URL != "":
		c.LinkURL, c.LinkLabel = p.URL, "Open posting"
	}
	return c
}
