// Package document renders jobpilot's documents, the tailored resume and the
// cover letter, as PDF files. It implements jobpilot.Renderer with
// github.com/go-pdf/fpdf.
//
// # Font
//
// Text is set in DejaVu Sans Condensed (regular and bold), embedded in the
// binary with go:embed from document/fonts/, so rendering needs no system
// fonts. DejaVu covers Latin with accents, Greek and Cyrillic, so names such as
// "Zoë Ångström" or "Дмитрий" render as themselves. The font files were copied
// from Debian's fonts-dejavu-core package and reduced to Latin, Greek,
// Cyrillic, punctuation and common symbols (document/fonts/README.md has the
// command), which keeps the binary 1 MB smaller and rendering faster. Their
// licence (the Bitstream Vera licence, DejaVu changes in the public domain)
// is in document/fonts/LICENSE. Only the glyphs a document uses are embedded
// in it (fpdf subsets the font again), so a resume is typically 30–40 KB.
// Characters the font lacks (emoji, CJK, anything beyond the Basic
// Multilingual Plane) are replaced by "?" rather than failing the render or
// producing invisible text.
//
// # Resume layout
//
// A resume is one page when its content fits (see "One page when it nearly
// fits") and otherwise two A4 pages (US Letter with WithPageSize): a header with
// the name, label and a contact line, then Summary, Experience, Projects,
// Education, Certificates, Skills and Languages. Sections with nothing to show
// are left out entirely: there is never an empty heading. A heading always
// starts on the same page as the first lines of its first entry, and an
// entry's title never ends a page without its first line of content. When the
// resume runs to two pages, each page carries "Page n of 2".
//
// # Staying within two pages
//
// A long profile is fitted to two pages in steps, re-measuring after each,
// and the first step that fits wins:
//
//  1. normal spacing;
//  2. tighter spacing and a slightly smaller body size;
//  3. at most 5 highlights for the two most recent positions and 3 for the
//     others, 2 per project, and no education courses;
//  4. at most 3 highlights for recent positions, 1 for the others, at most 3
//     projects without highlights, at most 5 certificates;
//  5. no projects, and older positions (after the fourth) reduced to their
//     title line;
//  6. the oldest positions dropped one by one (the most recent is kept).
//
// If all of that is not enough (absurd input such as a 5,000-word summary),
// the content that does not fit on page two is cut. The priority this encodes
// is: header, summary, recent experience, skills, education, certificates,
// languages, projects. The caller's Resume is never modified.
//
// # One page when it nearly fits
//
// A resume whose second page would be less than 40% full is fitted to one
// page instead: a recruiter reads a few lines spilled onto a second sheet
// as a layout error. Content goes a piece at a time, re-measuring after
// each: education courses, then project highlights, then the last highlight
// of the position with the most above its floor (the older one on a tie),
// the floor being two highlights for the most recent position and one for
// the others; at most three highlights at normal spacing, then again from
// the whole resume at tight spacing. Writers list each entry's highlights most relevant first,
// so the last is the least relevant. When even that does not fit, the
// resume keeps its two pages.
//
// # Determinism
//
// The same input gives the same bytes. The only varying part of a PDF is its
// creation and modification date (and the date printed on a cover letter),
// which default to the time of rendering; WithCreationDate fixes them.
// Resource catalogs are sorted and fpdf writes an empty trailer /ID, so
// nothing else depends on map order or randomness.
//
// # Errors
//
// A nil or invalid resume, and a cover letter without text, profile or
// posting, return an EINVALID *jobpilot.Error marked Permanent: rendering the
// same input again cannot succeed. A failure inside the PDF library (which
// should not happen with sanitised input) is returned as a Permanent error too,
// including a panic, which is recovered so that one bad document never takes
// down a worker.
package document
