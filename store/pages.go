package store

import (
	"context"
	"iter"

	"github.com/jobpilot/jobpilot"
)

// ApplicationLister lists applications a page at a time; jobpilot.Store
// and *DB satisfy it.
type ApplicationLister interface {
	Applications(ctx context.Context, f jobpilot.ApplicationFilter) ([]*jobpilot.Application, error)
}

// PostingLister lists postings a page at a time; jobpilot.Store and *DB
// satisfy it.
type PostingLister interface {
	Postings(ctx context.Context, f jobpilot.PostingFilter) ([]*jobpilot.Posting, error)
}

// DefaultPageSize is the page size of AllApplications and AllPostings when
// the filter's Limit is 0.
const DefaultPageSize = 500

// AllApplications yields every application f selects, by ascending ID,
// reading them a page at a time (f.Limit per page, default
// DefaultPageSize, at most MaxLimit) by keyset pagination on the ID, from
// f.AfterID on. Rows added while it runs are yielded when their ID is
// above the page being read, and each row at most once.
//
// A read error is yielded once, with a nil application, and ends the
// sequence. Breaking out of the loop stops the reading.
func AllApplications(ctx context.Context, st ApplicationLister, f jobpilot.ApplicationFilter) iter.Seq2[*jobpilot.Application, error] {
	f.Limit = pageSize(f.Limit)
	return pages(f.Limit, func(after int64) ([]*jobpilot.Application, error) {
		f.AfterID = max(after, f.AfterID)
		return st.Applications(ctx, f)
	}, func(a *jobpilot.Application) int64 { return a.ID })
}

// AllPostings yields every posting f selects, by ascending ID, a page at a
// time: see AllApplications.
func AllPostings(ctx context.Context, st PostingLister, f jobpilot.PostingFilter) iter.Seq2[*jobpilot.Posting, error] {
	f.Limit = pageSize(f.Limit)
	return pages(f.Limit, func(after int64) ([]*jobpilot.Posting, error) {
		f.AfterID = max(after, f.AfterID)
		return st.Postings(ctx, f)
	}, func(p *jobpilot.Posting) int64 { return p.ID })
}

// Collect gathers a sequence of AllApplications or AllPostings into a
// slice, or returns its error.
func Collect[T any](seq iter.Seq2[T, error]) ([]T, error) {
	var out []T
	for v, err := range seq {
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, nil
}

func pageSize(limit int) int {
	switch {
	case limit <= 0:
		return DefaultPageSize
	case limit > MaxLimit:
		return MaxLimit
	}
	return limit
}

// pages is keyset pagination: fetch(after) returns the rows that come
// after the position after (the zero C: from the start), at most size of
// them, in the order whose position cursor(row) gives; a short page is the
// last one.
func pages[T, C any](size int, fetch func(after C) ([]T, error), cursor func(T) C) iter.Seq2[T, error] {
	return func(yield func(T, error) bool) {
		var after C
		for {
			page, err := fetch(after)
			if err != nil {
				var zero T
				yield(zero, err)
				return
			}
			for _, row := range page {
				if !yield(row, nil) {
					return
				}
			}
			if len(page) < size {
				return
			}
			after = cursor(page[len(page)-1])
		}
	}
}
