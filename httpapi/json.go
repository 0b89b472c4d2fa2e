package httpapi

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/jobpilot/jobpilot"
)

// ErrorBody is the JSON shape of every error response:
// {"error":{"code":"invalid","message":"…","field":"…"}}.
type ErrorBody struct {
	Error ErrorDetail `json:"error"`
}

// ErrorDetail is the inside of ErrorBody. Code is a jobpilot error code
// (invalid, not_found, conflict, unavailable, internal) or one of the HTTP
// layer's own: unauthorized, too_large, unsupported_media_type.
type ErrorDetail struct {
	Code    string `json:"code"`
	Message string `json:"message"`
	Field   string `json:"field,omitempty"`
}

// HTTP-layer error codes, beside the domain's.
const (
	codeUnauthorized = "unauthorized"
	codeTooLarge     = "too_large"
	codeMediaType    = "unsupported_media_type"
	// codeTooManyRequests: the client's address spent its budget of wrong
	// credentials (429, with Retry-After).
	codeTooManyRequests = "too_many_requests"
)

// httpError is an error the HTTP layer itself raises, with its status.
type httpError struct {
	status int
	code   string
	msg    string
}

func (e *httpError) Error() string { return e.msg }

// unprocessable marks a domain EINVALID error found in a well-formed body
// (a validation failure), which answers 422 rather than 400.
type unprocessable struct{ err error }

func (u unprocessable) Error() string { return u.err.Error() }
func (u unprocessable) Unwrap() error { return u.err }

// statusFor maps an error to its HTTP status and JSON detail. Messages of
// unclassified errors are never shown: they may name internals.
func statusFor(err error) (int, ErrorDetail) {
	var he *httpError
	if errors.As(err, &he) {
		return he.status, ErrorDetail{Code: he.code, Message: he.msg}
	}
	var je *jobpilot.Error
	if errors.As(err, &je) {
		d := ErrorDetail{Code: je.Code, Message: je.Message, Field: je.Field}
		if d.Message == "" {
			d.Message = je.Error()
		}
		switch je.Code {
		case jobpilot.EINVALID:
			var u unprocessable
			if errors.As(err, &u) {
				return http.StatusUnprocessableEntity, d
			}
			return http.StatusBadRequest, d
		case jobpilot.ENOTFOUND:
			return http.StatusNotFound, d
		case jobpilot.ECONFLICT:
			return http.StatusConflict, d
		case jobpilot.EUNAVAILABLE:
			return http.StatusServiceUnavailable, d
		}
	}
	if errors.Is(err, jobpilot.ErrTransient) {
		return http.StatusServiceUnavailable, ErrorDetail{Code: jobpilot.EUNAVAILABLE, Message: "a dependency is unavailable; try again later"}
	}
	return http.StatusInternalServerError, ErrorDetail{Code: jobpilot.EINTERNAL, Message: "internal error"}
}

// fail writes err as the JSON error body. Server-side failures are logged
// with their detail (the client sees a generic message).
func (s *server) fail(w http.ResponseWriter, r *http.Request, err error) {
	status, d := statusFor(err)
	if status >= 500 {
		s.log.ErrorContext(r.Context(), "request failed", "method", r.Method, "path", r.URL.Path, "status", status, "err", err)
	}
	writeJSON(w, status, ErrorBody{Error: d})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(true)
	if err := enc.Encode(v); err != nil {
		status = http.StatusInternalServerError
		buf.Reset()
		buf.WriteString(`{"error":{"code":"internal","message":"internal error"}}` + "\n")
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(status)
	_, _ = w.Write(buf.Bytes())
}

// readBody reads a request body of at most max bytes. A body whose
// Content-Type is set to something other than JSON is refused with 415; a
// larger one with 413.
func readBody(w http.ResponseWriter, r *http.Request, max int64) ([]byte, error) {
	if ct := r.Header.Get("Content-Type"); ct != "" {
		mt, _, err := mime.ParseMediaType(ct)
		if err != nil || (mt != "application/json" && !strings.HasSuffix(mt, "+json")) {
			return nil, &httpError{http.StatusUnsupportedMediaType, codeMediaType, "Content-Type must be application/json"}
		}
	}
	b, err := io.ReadAll(http.MaxBytesReader(w, r.Body, max))
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return nil, &httpError{http.StatusRequestEntityTooLarge, codeTooLarge, fmt.Sprintf("request body larger than %d bytes", mbe.Limit)}
		}
		return nil, jobpilot.Errorf(jobpilot.EINVALID, "reading the request body failed")
	}
	return b, nil
}

// decodeBody reads the request body (readBody: 415, 413) and decodes it
// with one of the request decoders below: 400 for a malformed body, 422 for
// a well-formed one that does not validate.
func decodeBody[T any](w http.ResponseWriter, r *http.Request, max int64, decode func([]byte) (T, error)) (T, error) {
	body, err := readBody(w, r, max)
	if err != nil {
		var zero T
		return zero, err
	}
	return decode(body)
}

// decodeStrict decodes exactly one JSON value from data into v, refusing
// unknown fields and trailing data. Errors are EINVALID *jobpilot.Error with
// the offending field when known; they quote no input beyond a field name.
func decodeStrict(data []byte, v any) error {
	if len(bytes.TrimSpace(data)) == 0 {
		return jobpilot.Errorf(jobpilot.EINVALID, "request body is empty; expected a JSON object")
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return decodeError(err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return jobpilot.Errorf(jobpilot.EINVALID, "request body must contain a single JSON value")
	}
	return nil
}

func decodeError(err error) error {
	var (
		syn *json.SyntaxError
		typ *json.UnmarshalTypeError
	)
	switch {
	case errors.As(err, &syn):
		return jobpilot.Errorf(jobpilot.EINVALID, "malformed JSON at byte %d", syn.Offset)
	case errors.Is(err, io.ErrUnexpectedEOF):
		return jobpilot.Errorf(jobpilot.EINVALID, "malformed JSON: unexpected end of body")
	case errors.As(err, &typ):
		field := typ.Field
		if field == "" {
			return jobpilot.Errorf(jobpilot.EINVALID, "expected a JSON %s", jsonKind(typ.Type.Kind().String()))
		}
		return jobpilot.FieldError(field, "must be a JSON %s", jsonKind(typ.Type.Kind().String()))
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		// encoding/json has no typed error for this; the field name is
		// the quoted suffix.
		name, uerr := strconv.Unquote(strings.TrimPrefix(err.Error(), "json: unknown field "))
		if uerr != nil {
			name = ""
		}
		return jobpilot.FieldError(name, "unknown field")
	}
	return jobpilot.Errorf(jobpilot.EINVALID, "malformed JSON")
}

func jsonKind(goKind string) string {
	switch goKind {
	case "string":
		return "string"
	case "bool":
		return "boolean"
	case "slice", "array":
		return "array"
	case "struct", "map":
		return "object"
	case "int", "int8", "int16", "int32", "int64", "uint", "uint8", "uint16", "uint32", "uint64", "float32", "float64":
		return "number"
	}
	return "value"
}

// Request bodies. Each decoder is strict (see decodeStrict) and validates;
// validation failures are wrapped as unprocessable (422).

// StatusRequest is POST /api/v1/applications/{id}/status: a tracker
// status, an optional note and the day it happened (2006-01-02 or RFC 3339;
// default now).
type StatusRequest struct {
	Status jobpilot.Status `json:"status"`
	Note   string          `json:"note,omitempty"`
	At     string          `json:"at,omitempty"`
}

// ReasonRequest is POST …/dismiss and …/block: an optional reason.
type ReasonRequest struct {
	Reason string `json:"reason,omitempty"`
}

// AppliedRequest is POST …/applied: the day the candidate applied
// (2006-01-02 or RFC 3339; default now).
type AppliedRequest struct {
	Date string `json:"date,omitempty"`
}

// ReopenRequest is POST /api/v1/applications/{id}/reopen.
type ReopenRequest struct {
	Action string `json:"action"` // send_again | mark_sent
}

// TriggerRequest is POST /api/v1/scheduler/trigger.
type TriggerRequest struct {
	Kind jobpilot.TaskKind `json:"kind"`
}

// PostingRequest is POST /api/v1/postings: a posting added by hand. It is
// stored under the source "manual"; ExternalID defaults to a hash of the
// company and title, so adding the same job twice updates it.
type PostingRequest struct {
	ExternalID   string `json:"external_id,omitempty"`
	Company      string `json:"company"`
	Title        string `json:"title"`
	Location     string `json:"location,omitempty"`
	Remote       bool   `json:"remote,omitempty"`
	Description  string `json:"description,omitempty"`
	URL          string `json:"url,omitempty"`
	ApplyURL     string `json:"apply_url,omitempty"`
	ContactEmail string `json:"contact_email"`
	// The posting details (jobpilot.Posting), all optional.
	Locations      []string      `json:"locations,omitempty"`
	WorkMode       string        `json:"work_mode,omitempty"`
	RemoteRegions  []string      `json:"remote_regions,omitempty"`
	EmploymentType string        `json:"employment_type,omitempty"`
	Pay            *jobpilot.Pay `json:"pay,omitempty"`
}

// ProfileRequest is POST /api/v1/profiles and PUT /api/v1/profiles/{id}.
type ProfileRequest struct {
	Resume      jobpilot.Resume      `json:"resume"`
	Preferences jobpilot.Preferences `json:"preferences"`
}

// ManualSource is the source name of postings added through the API.
const ManualSource = "manual"

func decodeProfile(data []byte) (*jobpilot.Profile, error) {
	var req ProfileRequest
	if err := decodeStrict(data, &req); err != nil {
		return nil, err
	}
	p := &jobpilot.Profile{Resume: req.Resume, Preferences: req.Preferences}
	if err := p.Validate(); err != nil {
		return nil, unprocessable{err}
	}
	return p, nil
}

func decodePosting(data []byte) (*jobpilot.Posting, error) {
	var req PostingRequest
	if err := decodeStrict(data, &req); err != nil {
		return nil, err
	}
	if strings.TrimSpace(req.ContactEmail) == "" {
		return nil, unprocessable{jobpilot.FieldError("contact_email", "is required for a posting added by hand")}
	}
	p := &jobpilot.Posting{
		Source: ManualSource, ExternalID: strings.TrimSpace(req.ExternalID),
		Company: req.Company, Title: req.Title, Location: req.Location, Remote: req.Remote,
		Description: req.Description, URL: req.URL, ApplyURL: req.ApplyURL, ContactEmail: req.ContactEmail,
		Locations: req.Locations, WorkMode: req.WorkMode, RemoteRegions: req.RemoteRegions,
		EmploymentType: req.EmploymentType, Pay: req.Pay,
	}
	if p.ExternalID == "" {
		p.ExternalID = jobpilot.PostingFingerprint(p.Company, p.Title, "")
	}
	p.Normalize()
	if err := p.Validate(); err != nil {
		return nil, unprocessable{err}
	}
	return p, nil
}

func decodeStatus(data []byte) (jobpilot.StatusUpdate, error) {
	var req StatusRequest
	if err := decodeStrict(data, &req); err != nil {
		return jobpilot.StatusUpdate{}, err
	}
	if !req.Status.Manual() {
		return jobpilot.StatusUpdate{}, unprocessable{jobpilot.FieldError("status", "must be one of interviewing, offered, rejected, withdrawn, no_reply")}
	}
	at, err := parseDay("at", req.At)
	if err != nil {
		return jobpilot.StatusUpdate{}, err
	}
	return jobpilot.StatusUpdate{Status: req.Status, Note: req.Note, At: at}, nil
}

// optionalBody decodes a body that may be absent (an action with optional
// fields): an empty body is the zero value.
func optionalBody[T any](data []byte) (T, error) {
	var v T
	if len(bytes.TrimSpace(data)) == 0 {
		return v, nil
	}
	return v, decodeStrict(data, &v)
}

func decodeReason(data []byte) (string, error) {
	req, err := optionalBody[ReasonRequest](data)
	return req.Reason, err
}

func decodeApplied(data []byte) (time.Time, error) {
	req, err := optionalBody[AppliedRequest](data)
	if err != nil {
		return time.Time{}, err
	}
	return parseDay("date", req.Date)
}

func decodeEdit(data []byte) (jobpilot.DocumentEdit, error) {
	var e jobpilot.DocumentEdit
	err := decodeStrict(data, &e)
	return e, err
}

// parseDay reads a date (2006-01-02, noon UTC so that it stays that day in
// every time zone) or an RFC 3339 time; "" is the zero time.
func parseDay(field, v string) (time.Time, error) {
	v = strings.TrimSpace(v)
	if v == "" {
		return time.Time{}, nil
	}
	if t, err := time.Parse(time.DateOnly, v); err == nil {
		return t.Add(12 * time.Hour), nil
	}
	t, err := time.Parse(time.RFC3339, v)
	if err != nil {
		return time.Time{}, unprocessable{jobpilot.FieldError(field, "must be a date, 2006-01-02")}
	}
	return t, nil
}

func decodeReopen(data []byte) (string, error) {
	var req ReopenRequest
	if err := decodeStrict(data, &req); err != nil {
		return "", err
	}
	switch req.Action {
	case "send_again", "mark_sent":
		return req.Action, nil
	}
	return "", unprocessable{jobpilot.FieldError("action", "must be send_again or mark_sent")}
}

func decodeTrigger(data []byte) (jobpilot.TaskKind, error) {
	var req TriggerRequest
	if err := decodeStrict(data, &req); err != nil {
		return "", err
	}
	if strings.TrimSpace(string(req.Kind)) == "" {
		return "", unprocessable{jobpilot.FieldError("kind", "is required")}
	}
	return req.Kind, nil
}
