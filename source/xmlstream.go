package source

import (
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"strings"

	"golang.org/x/net/html/charset"

	"github.com/jobpilot/jobpilot"
)

// eachXMLElement reads an XML document token by token and calls fn at each
// start element with the names of the elements it is in (path, outermost
// first, the element's own name last). fn either decodes the element whole
// (dec.DecodeElement: one job in memory, not the document) and reports
// that it did, or leaves it to be walked into. root lists the document
// elements allowed; another is errNotBoard. The decoder is lenient as feed
// readers are: HTML entities (&nbsp;) and mismatched tags do not stop it,
// and a declared encoding other than UTF-8 is converted.
func eachXMLElement(r io.Reader, root []string, fn func(dec *xml.Decoder, start xml.StartElement, path []string) (decoded bool, err error)) error {
	dec := xml.NewDecoder(r)
	dec.Strict = false
	dec.Entity = xml.HTMLEntity
	dec.CharsetReader = charset.NewReaderLabel
	var path []string
	for {
		tok, err := dec.Token()
		if err == io.EOF && len(path) == 0 {
			if path == nil {
				return io.ErrUnexpectedEOF // an empty body: cut short
			}
			return nil
		}
		if err != nil {
			return err
		}
		switch t := tok.(type) {
		case xml.StartElement:
			name := strings.ToLower(t.Name.Local)
			if path == nil && !containsFold(root, name) {
				return fmt.Errorf("%w: the document is <%s>, not <%s>", errNotBoard, t.Name.Local, strings.Join(root, "> or <"))
			}
			path = append(path, name)
			decoded, err := fn(dec, t, path)
			if err != nil {
				return err
			}
			if decoded {
				path = path[:len(path)-1]
			}
		case xml.EndElement:
			if len(path) > 0 {
				path = path[:len(path)-1]
			}
		}
	}
}

func containsFold(list []string, s string) bool {
	for _, x := range list {
		if strings.EqualFold(x, s) {
			return true
		}
	}
	return false
}

// xmlErr classifies a failure to read a board's XML as decodeErr does JSON:
// a document that ends too early is transient (cut short), one that is not
// XML or not the board's document permanent; errors already classified,
// and the consumer's, as they are.
func xmlErr(err error) error {
	var syn *xml.SyntaxError
	switch {
	case err == nil:
		return nil
	case errors.Is(err, jobpilot.ErrTransient), errors.Is(err, jobpilot.ErrPermanent):
		return err
	case errors.Is(err, io.ErrUnexpectedEOF), errors.As(err, &syn) && strings.Contains(syn.Msg, "unexpected EOF"):
		return jobpilot.Transient(fmt.Errorf("the response was cut short: %w", io.ErrUnexpectedEOF))
	case errors.As(err, &syn), errors.Is(err, errNotBoard):
		return jobpilot.Permanent(fmt.Errorf("the response is not the board's XML: %w", err))
	}
	return decodeErr(err)
}
