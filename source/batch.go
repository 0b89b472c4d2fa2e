package source

import (
	"context"
	"fmt"

	"github.com/jobpilot/jobpilot"
)

// MissingCloser completes an import stored in batches: it closes the
// source's open postings absent from the complete listing seen. *store.DB
// implements it.
type MissingCloser interface {
	CloseMissingPostings(ctx context.Context, source string, seen []string) (int, error)
}

// batchSize is how many postings are stored per transaction while a board
// is read: big enough that a transaction's cost is shared, small enough
// that a batch of real-sized postings (about 14 KB each) stays a few MB.
const batchSize = 200

// fetchInto fetches one source into st (nil: a dry run) and returns the
// number of distinct postings read and what storing them did.
//
// A Streamer stored in a MissingCloser is read and stored batch by batch,
// and its missing postings closed at the end, once the board was read in
// full; a failure midway stores what was read and closes nothing. Any
// other source, or store, is fetched whole and stored in one UpsertPostings
// that closes the missing ones.
func fetchInto(ctx context.Context, src jobpilot.Source, st PostingUpserter) (int, jobpilot.UpsertResult, error) {
	var res jobpilot.UpsertResult
	s, streams := src.(Streamer)
	closer, closes := st.(MissingCloser)
	if !streams || st != nil && !closes {
		ps, err := src.Fetch(ctx)
		if err != nil || st == nil {
			return len(ps), res, err
		}
		res, err = st.UpsertPostings(ctx, src.Name(), ps, true)
		if err != nil {
			err = fmt.Errorf("source %s: storing %d postings: %w", src.Name(), len(ps), err)
		}
		return len(ps), res, err
	}
	seen := map[string]struct{}{}
	batch := make([]jobpilot.Posting, 0, batchSize)
	flush := func() error {
		if st == nil || len(batch) == 0 {
			return nil
		}
		r, err := st.UpsertPostings(ctx, src.Name(), batch, false)
		clear(batch) // let the descriptions go before the next batch is read
		batch = batch[:0]
		if err != nil {
			return fmt.Errorf("source %s: storing postings: %w", src.Name(), err)
		}
		res.New, res.Updated, res.Unchanged = res.New+r.New, res.Updated+r.Updated, res.Unchanged+r.Unchanged
		return nil
	}
	err := s.FetchEach(ctx, func(p jobpilot.Posting) error {
		seen[p.ExternalID] = struct{}{}
		if st == nil {
			return nil
		}
		batch = append(batch, p)
		if len(batch) < batchSize {
			return nil
		}
		return flush()
	})
	if ferr := flush(); err == nil {
		err = ferr
	}
	if err != nil || st == nil {
		return len(seen), res, err
	}
	ids := make([]string, 0, len(seen))
	for id := range seen {
		ids = append(ids, id)
	}
	res.Closed, err = closer.CloseMissingPostings(ctx, src.Name(), ids)
	if err != nil {
		err = fmt.Errorf("source %s: closing missing postings: %w", src.Name(), err)
	}
	return len(seen), res, err
}
