package source

import "github.com/jobpilot/jobpilot"

// SetLeverPageSize lets tests page through a small board.
func SetLeverPageSize(s jobpilot.Source, n int) { s.(*Lever).pageSize = n }

// SetSmartRecruitersPageSize lets tests page through a small board.
func SetSmartRecruitersPageSize(s jobpilot.Source, n int) { s.(*SmartRecruiters).pageSize = n }
