package apply

import (
	"context"
	"fmt"
	"strings"

	"github.com/jobpilot/jobpilot"
)

// applicationMessage builds the email of an application: a short note, the
// resume and the cover letter as PDFs, and the Message-ID derived from the
// application so every attempt and every restart sends the same message.
func (s *Service) applicationMessage(ctx context.Context, app *jobpilot.Application) (*jobpilot.Message, error) {
	p, err := s.Store.Profile(ctx, app.ProfileID)
	if err != nil {
		return nil, err
	}
	post, err := s.Store.Posting(ctx, app.PostingID)
	if err != nil {
		return nil, err
	}
	if post.ContactEmail == "" {
		return nil, jobpilot.Permanent(jobpilot.Errorf(jobpilot.EINVALID, "posting %d has no contact email; apply via %s", post.ID, firstNonEmpty(post.ApplyURL, post.URL)))
	}
	if err := s.checkRecipient(ctx, post.ContactEmail); err != nil {
		return nil, err
	}
	docs, err := s.Store.Documents(ctx, app.ID)
	if err != nil {
		return nil, err
	}
	from := s.sender(p)
	name := p.Name()
	var b strings.Builder
	fmt.Fprintf(&b, "Dear %s hiring team,\n\n", post.Company)
	fmt.Fprintf(&b, "Please find attached my application for the %s position", post.Title)
	if post.URL != "" {
		fmt.Fprintf(&b, " (%s)", post.URL)
	}
	b.WriteString(": my resume and a cover letter.\n\nThank you for your time and consideration.\n\nKind regards,\n")
	b.WriteString(name + "\n")
	for _, line := range []string{p.Resume.Basics.Email, p.Resume.Basics.Phone} {
		if line != "" {
			b.WriteString(line + "\n")
		}
	}
	var bcc []string
	if self := p.Resume.Basics.Email; s.BCCSelf && self != "" && !strings.EqualFold(self, post.ContactEmail) {
		bcc = []string{self}
	}
	return &jobpilot.Message{
		Bcc:       bcc,
		MessageID: jobpilot.MessageID(app.ID, domainOf(from)),
		From:      from,
		FromName:  name,
		To:        post.ContactEmail,
		ReplyTo:   p.Resume.Basics.Email,
		Subject:   fmt.Sprintf("Application for %s – %s", post.Title, name),
		Body:      b.String(),
		Date:      s.now(),
		Attachments: []jobpilot.Attachment{
			{Filename: fileName(name, "Resume"), ContentType: "application/pdf", Data: docs.ResumePDF},
			{Filename: fileName(name, "Cover Letter"), ContentType: "application/pdf", Data: docs.CoverLetterPDF},
		},
	}, nil
}

// checkRecipient refuses an address that bounced hard before: a permanent
// EINVALID error, so the application fails with the reason instead of
// bouncing again.
func (s *Service) checkRecipient(ctx context.Context, addr string) error {
	if s.Inbox == nil || s.Inbox.Store == nil {
		return nil
	}
	bad, err := s.Inbox.Store.BadAddress(ctx, addr)
	switch {
	case jobpilot.ErrorCode(err) == jobpilot.ENOTFOUND:
		return nil
	case err != nil:
		return err
	}
	return jobpilot.Permanent(jobpilot.Errorf(jobpilot.EINVALID, "%s bounced hard before (%s %s, application %d): apply via the posting's page instead",
		addr, bad.Status, bad.Reason, bad.ApplicationID))
}

func (s *Service) sender(p *jobpilot.Profile) string {
	if s.From != "" {
		return s.From
	}
	return p.Resume.Basics.Email
}

func domainOf(addr string) string {
	if i := strings.LastIndexByte(addr, '@'); i >= 0 {
		return strings.TrimSuffix(addr[i+1:], ">")
	}
	return ""
}

func fileName(name, what string) string {
	clean := strings.Map(func(r rune) rune {
		if strings.ContainsRune(`/\:*?"<>|`, r) || r < 32 {
			return -1
		}
		return r
	}, name)
	return strings.TrimSpace(clean+" - "+what) + ".pdf"
}
