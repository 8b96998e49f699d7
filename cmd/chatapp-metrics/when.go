package main

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// offsetPattern matches fixed offsets: +08:00, -0530, +8, UTC+8, GMT-05:30.
var offsetPattern = regexp.MustCompile(`^(?:UTC|GMT)?([+-])(\d{1,2})(?::?(\d{2}))?$`)

// parseZone reads -tz: a fixed offset, UTC, Local or an IANA name.
func parseZone(s string) (*time.Location, error) {
	s = strings.TrimSpace(s)
	if m := offsetPattern.FindStringSubmatch(strings.ToUpper(s)); m != nil {
		h, _ := strconv.Atoi(m[2])
		min := 0
		if m[3] != "" {
			min, _ = strconv.Atoi(m[3])
		}
		if h > 14 || min > 59 {
			return nil, usagef("-tz: offset %q is out of range (at most ±14:00)", s)
		}
		secs := (h*60 + min) * 60
		if m[1] == "-" {
			secs = -secs
		}
		return time.FixedZone(formatOffset(secs), secs), nil
	}
	switch strings.ToUpper(s) {
	case "UTC", "Z", "GMT":
		return time.UTC, nil
	}
	if s == "" {
		return nil, usagef("-tz must not be empty")
	}
	loc, err := time.LoadLocation(s)
	if err != nil {
		return nil, usagef("-tz: %q is neither an offset such as +08:00 nor a known zone name", s)
	}
	return loc, nil
}

// formatOffset names a fixed zone as its offset, e.g. "+08:00".
func formatOffset(secs int) string {
	sign := '+'
	if secs < 0 {
		sign, secs = '-', -secs
	}
	return fmt.Sprintf("%c%02d:%02d", sign, secs/3600, secs/60%60)
}

// parseUntil reads -until: now, a date (the range runs through the end of
// that day in loc) or an RFC 3339 time.
func parseUntil(s string, now time.Time, loc *time.Location) (time.Time, error) {
	s = strings.TrimSpace(s)
	if strings.EqualFold(s, "now") {
		return now, nil
	}
	if d, err := time.ParseInLocation(time.DateOnly, s, loc); err == nil {
		return d.AddDate(0, 0, 1), nil
	}
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t, nil
	}
	return time.Time{}, usagef("-until: %q is not now, a date YYYY-MM-DD or an RFC 3339 time", s)
}

// relativeDays matches -since 90d and 2w.
var relativeDays = regexp.MustCompile(`^(\d+)([dw])$`)

// parseSince reads -since: a number of days or weeks before until, from
// midnight in loc, a Go duration before until, a date (its midnight in
// loc) or an RFC 3339 time.
func parseSince(s string, until time.Time, loc *time.Location) (time.Time, error) {
	s = strings.TrimSpace(s)
	if m := relativeDays.FindStringSubmatch(strings.ToLower(s)); m != nil {
		n, err := strconv.Atoi(m[1])
		if err != nil || n < 1 || n > 100*366 {
			return time.Time{}, usagef("-since: %q is not a sensible number of days", s)
		}
		if m[2] == "w" {
			n *= 7
		}
		// From midnight, so that the first day is whole: n days before an
		// -until at midnight, n days and today so far before now.
		y, mo, d := until.In(loc).Date()
		return time.Date(y, mo, d-n, 0, 0, 0, 0, loc), nil
	}
	if d, err := time.ParseDuration(s); err == nil {
		if d <= 0 {
			return time.Time{}, usagef("-since: %q must be positive", s)
		}
		return until.Add(-d), nil
	}
	if d, err := time.ParseInLocation(time.DateOnly, s, loc); err == nil {
		return d, nil
	}
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t, nil
	}
	return time.Time{}, usagef("-since: %q is not 90d, 2w, a duration such as 36h, a date YYYY-MM-DD or an RFC 3339 time", s)
}

// serviceOffset is the offset of the service's days, UTC+8.
const serviceOffset = 8 * 3600

// serviceDays reports whether loc's days are the service's over [since,
// until]: its offset is UTC+8 throughout.
func serviceDays(loc *time.Location, since, until time.Time) bool {
	_, ok := eachOffset(loc, since, until, func(off int) bool { return off == serviceOffset })
	return ok
}

// halfHourZone reports whether loc's offset is a multiple of 30 minutes
// throughout [since, until], so that its days are whole half hours of the
// service's; if not, it returns an instant where it is not and the offset
// there.
func halfHourZone(loc *time.Location, since, until time.Time) (at time.Time, offset int, ok bool) {
	at, ok = eachOffset(loc, since, until, func(off int) bool { return off%1800 == 0 })
	_, offset = at.In(loc).Zone()
	return at, offset, ok
}

// eachOffset calls good with each offset loc has in [since, until],
// walking from one zone transition to the next, and returns the first
// instant whose offset is not good.
func eachOffset(loc *time.Location, since, until time.Time, good func(offset int) bool) (time.Time, bool) {
	t := since.In(loc)
	for {
		if _, off := t.Zone(); !good(off) {
			return t, false
		}
		_, end := t.ZoneBounds()
		if end.IsZero() || !end.Before(until) {
			return time.Time{}, true
		}
		t = end.In(loc)
	}
}
