package source

import (
	"fmt"
	"testing"

	"github.com/jobpilot/jobpilot"
)

func TestReadPlace(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want string // mode regions places
	}{
		{"Remote (USA)", "remote [USA] []"},
		{"REMOTE (US/Canada)", "remote [US Canada] []"},
		{"Remote - Europe", "remote [Europe] []"},
		{"Remote, EU timezones", "remote [EU] []"},
		{"US Remote", "remote [US] []"},
		{"Remote in Canada or Berlin", "remote [Canada] [Berlin]"},
		{"Berlin or Remote", "remote [] [Berlin]"},
		{"San Francisco, CA or Remote (US)", "remote [US] [San Francisco, CA]"},
		{"Hybrid - London", "hybrid [] [London]"},
		{"Onsite in NYC", "onsite [] [NYC]"},
		{"ONSITE", "onsite [] []"},
		{"No remote", "onsite [] []"},
		{"Zürich", " [] [Zürich]"},
		{"Berlin, Germany; Lisbon, Portugal", " [] [Berlin, Germany Lisbon, Portugal]"},
		{"Remote", "remote [] []"},
		{"Fully remote, anywhere", "remote [] []"},
	} {
		pi := readPlace(tc.in)
		if got := fmt.Sprintf("%s %v %v", pi.mode, pi.regions, pi.places); got != tc.want {
			t.Errorf("%q: got %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestEmploymentOf(t *testing.T) {
	for in, want := range map[string]string{
		"Full-time": jobpilot.EmploymentFullTime, "FullTime": jobpilot.EmploymentFullTime, "Full Time": jobpilot.EmploymentFullTime, "FT": jobpilot.EmploymentFullTime,
		"Part-time": jobpilot.EmploymentPartTime, "Contract": jobpilot.EmploymentContract, "Freelance / Contract": jobpilot.EmploymentContract,
		"Intern": jobpilot.EmploymentInternship, "Internship": jobpilot.EmploymentInternship, "Temporary": jobpilot.EmploymentTemporary,
		"Berlin": "", "Full Stack Engineer": "",
	} {
		if got := employmentOf(in); got != want {
			t.Errorf("%q: %q, want %q", in, got, want)
		}
	}
}

func TestParsePay(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"$150k–$200k", "150000-200000 USD year"},
		{"€90K - €120K + equity", "90000-120000 EUR year"},
		{"USD 150,000 – 190,000 per year", "150000-190000 USD year"},
		{"80 000 € – 100 000 €", "80000-100000 EUR year"},
		{"$60-80/hr", "60-80 USD hour"},
		{"£70,000", "70000-0 GBP year"},
		{"CHF 120k-140k", "120000-140000 CHF year"},
		{"¥8,000,000", "8e+06-0 JPY year"},
		{"€4.500 - €5.500 a month", "4500-5500 EUR month"},
		{"up to $200k", "0-200000 USD year"},
		{"5-10 years of experience", "nil"},
		{"team of 20", "nil"},
	} {
		got := "nil"
		if p := parsePay(tc.in); p != nil {
			got = fmt.Sprintf("%g-%g %s %s", p.Min, p.Max, p.Currency, p.Period)
			if p.Text != tc.in {
				t.Errorf("%q: text %q", tc.in, p.Text)
			}
		}
		if got != tc.want {
			t.Errorf("%q: got %s, want %s", tc.in, got, tc.want)
		}
	}
}
