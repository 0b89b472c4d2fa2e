package store

import (
	"database/sql"
	"encoding/json"
	"fmt"

	"github.com/jobpilot/jobpilot"
)

// The posting's detail columns (migration 0004): lists as JSON text, pay
// flattened so that it can be filtered on.
const (
	detailColumns      = "locations, work_mode, remote_regions, employment_type, pay_min, pay_max, pay_currency, pay_period, pay_text, roles"
	detailPlaceholders = "?, ?, ?, ?, ?, ?, ?, ?, ?, ?"
	detailAssignments  = "locations = ?, work_mode = ?, remote_regions = ?, employment_type = ?, pay_min = ?, pay_max = ?, " +
		"pay_currency = ?, pay_period = ?, pay_text = ?, roles = ?"
)

// detailArgs are p's detail values in detailColumns' order.
func detailArgs(p *jobpilot.Posting) []any {
	var pay jobpilot.Pay
	if p.Pay != nil {
		pay = *p.Pay
	}
	return []any{jsonList(p.Locations), p.WorkMode, jsonList(p.RemoteRegions), p.EmploymentType,
		nullAmount(pay.Min), nullAmount(pay.Max), pay.Currency, pay.Period, pay.Text, jsonList(p.Roles)}
}

func jsonList(l []string) string {
	if len(l) == 0 {
		return "[]"
	}
	b, _ := json.Marshal(l) // a []string always marshals
	return string(b)
}

// nullAmount stores a missing bound (0) as NULL, so "pay_min >= ?" skips
// postings that did not say.
func nullAmount(f float64) sql.NullFloat64 { return sql.NullFloat64{Float64: f, Valid: f > 0} }

// detailScan receives the detail columns of one row.
type detailScan struct {
	locations, regions, roles       string
	payMin, payMax                  sql.NullFloat64
	workMode, employment            string
	payCurrency, payPeriod, payText string
}

func (d *detailScan) dest() []any {
	return []any{&d.locations, &d.workMode, &d.regions, &d.employment, &d.payMin, &d.payMax,
		&d.payCurrency, &d.payPeriod, &d.payText, &d.roles}
}

func (d *detailScan) fill(p *jobpilot.Posting) error {
	p.WorkMode, p.EmploymentType = d.workMode, d.employment
	if err := json.Unmarshal([]byte(d.locations), &p.Locations); err != nil {
		return fmt.Errorf("posting %d: locations: %w", p.ID, err)
	}
	if err := json.Unmarshal([]byte(d.regions), &p.RemoteRegions); err != nil {
		return fmt.Errorf("posting %d: remote_regions: %w", p.ID, err)
	}
	if err := json.Unmarshal([]byte(d.roles), &p.Roles); err != nil {
		return fmt.Errorf("posting %d: roles: %w", p.ID, err)
	}
	if len(p.Roles) == 0 {
		p.Roles = nil
	}
	if len(p.Locations) == 0 {
		p.Locations = nil
	}
	if len(p.RemoteRegions) == 0 {
		p.RemoteRegions = nil
	}
	pay := jobpilot.Pay{Min: d.payMin.Float64, Max: d.payMax.Float64, Currency: d.payCurrency, Period: d.payPeriod, Text: d.payText}
	if !pay.IsZero() {
		p.Pay = &pay
	}
	return nil
}
