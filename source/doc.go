// Package source fetches job postings from public job-board APIs and feeds
// and normalises them into jobpilot.Posting:
//
//   - greenhouse: GET {base}/v1/boards/{token}/jobs?content=true (default
//     base https://boards-api.greenhouse.io);
//   - lever: GET {base}/v0/postings/{site}?mode=json, paged with skip and
//     limit (default base https://api.lever.co);
//   - ashby: GET {base}/posting-api/job-board/{org}?includeCompensation=true
//     (default base https://api.ashbyhq.com);
//   - workable: GET {base}/api/v1/widget/accounts/{account}?details=true
//     (default base https://apply.workable.com);
//   - smartrecruiters: GET {base}/v1/companies/{company}/postings, paged
//     with offset and limit, and each posting's details for its text
//     (default base https://api.smartrecruiters.com);
//   - recruitee: GET https://{company}.recruitee.com/api/offers/;
//   - personio: GET https://{company}.jobs.personio.de/xml?language=en,
//     XML decoded one position at a time;
//   - hn: the newest Hacker News "Ask HN: Who is hiring?" thread through
//     Algolia (default base https://hn.algolia.com);
//   - json: a file or http(s) URL in jobpilot's own format (below);
//   - feed: an RSS 2.0 or Atom 1.0 URL.
//
// Each kind of board is a Type (its name, its own configuration keys, its
// API root, its constructor) registered in a Registry; Builtin holds the
// ones above, and a new kind is one file plus one line there. A configured
// source is a Spec, decoded and checked from the configuration entry by
// Registry.Decode (problems name the key at fault) and built by
// Registry.New. Its Name, and the Source of its postings, is "<type>:<name>". Every
// request goes through a shared Client: a few requests at a time per host,
// spaced out, a User-Agent naming jobpilot, the source's own resilience
// policy (retry, breaker "source:<type>:<name>"), a limit on the first byte
// and on each silence while reading, redirects only to the same host, and
// errors classified as transient (network, timeouts, 429, 5xx but 501, with
// Retry-After, a body cut short) or permanent (400, 401, 403, 404, a body
// that is not the board's). Boards are decoded as streams (Streamer): one
// job is held at a time, and one malformed job is skipped, not fatal. HTML
// descriptions become plain text (HTMLToText). An optional filter per source
// keeps postings by title keywords, locations or remote only.
//
// Registry.Discover finds a company's boards on every type with a SlugKey
// by trying a few likely board names (Slugs) at each type's endpoint.
//
// FetchAll runs many sources and stores what each returns in batches as it
// is read; one failing source is reported and never stops the others, and
// postings are marked closed only after a complete fetch of their board.
//
// # The JSON feed format
//
// A json source reads a UTF-8 JSON document that is either an array of
// postings or an object with a "postings" array:
//
//	{"postings": [
//	  {
//	    "external_id": "eng-42",
//	    "company": "Acme",
//	    "title": "Backend Engineer",
//	    "location": "Berlin, Germany",
//	    "locations": ["Berlin, Germany", "Lisbon, Portugal"],
//	    "work_mode": "hybrid",
//	    "employment_type": "full_time",
//	    "pay": {"min": 70000, "max": 90000, "currency": "EUR", "period": "year", "text": "€70k–€90k"},
//	    "description": "Plain text. Paragraphs separated by a blank line.",
//	    "url": "https://acme.example/jobs/42",
//	    "apply_url": "https://acme.example/jobs/42/apply",
//	    "contact_email": "jobs@acme.example",
//	    "published_at": "2026-11-02T09:00:00Z"
//	  }
//	]}
//
// The fields are jobpilot.Posting's JSON names. company and title are
// required, and so is external_id (the feed's own stable id for the job)
// unless url is given, which then serves as the id. description is plain
// text; HTML is converted to text. published_at is RFC 3339. Store-owned
// fields (id, source, fingerprint, content_hash, closed_at, created_at,
// updated_at) are ignored, and so is example (it marks jobpilot's own
// fictional data). The detail fields (locations, work_mode, remote_regions,
// employment_type, pay) are optional. Entries that are not valid (no
// company, a malformed contact_email, a title with line breaks, an unknown
// work_mode, a pay whose max is below its min) are logged and left out; the
// rest import. A posting missing from the next read of the feed is
// marked closed, like on any board.
package source
