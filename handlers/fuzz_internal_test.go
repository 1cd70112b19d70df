package handlers

import (
	"errors"
	"net/url"
	"strings"
	"testing"
	"time"

	"switchboard/models"
)

// FuzzScheduleForm: any schedule editor form either fails with a
// ValidationError naming a field, or yields a schedule that the editor,
// filled from it again, gives back unchanged.
func FuzzScheduleForm(f *testing.F) {
	for _, seed := range []string{
		"mode=cron&minute=30&hour=8&day_of_week=mon-fri",
		"mode=crontab&expression=*/5+*+*+*+*",
		"mode=interval&every=15&unit=minutes",
		"mode=interval&every=1.5&unit=hours",
		"mode=date&run_date=2030-01-01T09:00",
		"mode=date&run_date=2030-01-01T09:00:30",
		"mode=cron&hour=24",
		"mode=interval&unit=fortnights&every=1",
		"mode=weekly",
		"hour=%ff&minute=-0",
	} {
		f.Add(seed)
	}
	loc, _ := time.LoadLocation("America/New_York")
	now := time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, query string) {
		form, err := url.ParseQuery(query)
		if err != nil {
			return
		}
		s, err := parseScheduleForm(form, loc, now)
		if err != nil {
			var ve *models.ValidationError
			if !errors.As(err, &ve) || ve.Field == "" || ve.Message == "" {
				t.Fatalf("%q: error is not a ValidationError naming a field: %v", query, err)
			}
			return
		}
		ef := scheduleFormOf(s, loc)
		again := url.Values{"mode": {ef.Mode}, "minute": {ef.Minute}, "hour": {ef.Hour}, "day": {ef.Day}, "month": {ef.Month},
			"day_of_week": {ef.DayOfWeek}, "expression": {ef.Expression}, "every": {ef.Every}, "unit": {ef.Unit}, "run_date": {ef.RunDate}}
		back, err := parseScheduleForm(again, loc, now)
		if err != nil {
			t.Fatalf("%q gave %s, but the editor filled from it is refused: %v", query, s.ArgsJSON(), err)
		}
		same := back.Trigger == s.Trigger
		switch s.Trigger {
		case models.TriggerCron:
			a, _ := s.Cron.Crontab()
			b, _ := back.Cron.Crontab()
			same = same && a == b
		case models.TriggerInterval:
			same = same && back.Interval == s.Interval
		case models.TriggerDate:
			// The editor's datetime-local field holds minutes.
			same = same && back.RunDate.Equal(s.RunDate.Truncate(time.Minute))
		}
		if !same {
			t.Fatalf("%q gave %s; the editor filled from it gives %s", query, s.ArgsJSON(), back.ArgsJSON())
		}
	})
}

// FuzzJobForm: any job form either fails with a ValidationError, or yields
// an input whose headers are the lines the operator wrote, and whose
// Validate (the API's rules) accepts it or refuses it with a
// ValidationError, never anything else.
func FuzzJobForm(f *testing.F) {
	f.Add("id=nightly&name=Nightly&url=https://example.com/hook&method=POST&headers=X-Token:+abc%0AAccept:+json", "webhook", true)
	f.Add("name=Brief&prompt=Summarise+the+news&model=", "prompt", false)
	f.Add("id=x&name=&timeout_seconds=-1&market_hours_only=true", "prompt", true)
	f.Add("headers=no+colon+here", "webhook", false)
	f.Add("id=a&name=b&url=ftp://x&headers=%3A%0A%3A", "webhook", true)
	loc, _ := time.LoadLocation("America/New_York")
	now := time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)
	validation := func(t *testing.T, err error) {
		var ve *models.ValidationError
		if err != nil && (!errors.As(err, &ve) || ve.Message == "") {
			t.Fatalf("error is not a ValidationError: %v", err)
		}
	}
	f.Fuzz(func(t *testing.T, query, kind string, isNew bool) {
		form, err := url.ParseQuery(query)
		if err != nil {
			return
		}
		edit, err := jobEditInput(form, kind, nil)
		if validation(t, err); err != nil {
			return
		}
		if kind == models.KindWebhook && strings.TrimSpace(form.Get("headers")) != "" {
			cfg := edit.Config.Webhook
			for _, line := range strings.Split(form.Get("headers"), "\n") {
				if k, v, ok := strings.Cut(strings.TrimSpace(line), ":"); ok && cfg.Headers[strings.TrimSpace(k)] == "" && strings.TrimSpace(v) != "" {
					t.Fatalf("header line %q is missing from %v", line, cfg.Headers)
				}
			}
		}
		if !isNew {
			_, err := edit.Validate(kind)
			validation(t, err)
			return
		}
		form.Set("kind", kind)
		form.Set("mode", "interval")
		form.Set("every", "5")
		form.Set("unit", "minutes")
		in, err := jobCreateInput(form)
		if validation(t, err); err != nil {
			return
		}
		_, err = in.Validate(loc, now)
		validation(t, err)
	})
}

// FuzzSafeNext: whatever next a sign-in carries, the redirect it yields,
// read as a browser reads a Location (tabs and newlines dropped,
// backslashes as slashes), resolves to this origin.
func FuzzSafeNext(f *testing.F) {
	for _, seed := range []string{"/jobs", "//evil.example", "/\t/evil.example", "/\\evil.example", "https://evil.example", "javascript:alert(1)", "/%2F%2Fevil.example", "/jobs?next=//x", " /x", "/.//evil"} {
		f.Add(seed)
	}
	home, _ := url.Parse("https://switchboard.example/login")
	f.Fuzz(func(t *testing.T, next string) {
		got := safeNext(next)
		if got != "/" && got != next {
			t.Fatalf("safeNext(%q) = %q: neither home nor the input", next, got)
		}
		browser := strings.Map(func(r rune) rune {
			if r == '\t' || r == '\n' || r == '\r' {
				return -1
			}
			if r == '\\' {
				return '/'
			}
			return r
		}, strings.Trim(got, " \x00\x01\x02\x03\x04\x05\x06\x07\x08\x09\x0a\x0b\x0c\x0d\x0e\x0f\x10\x11\x12\x13\x14\x15\x16\x17\x18\x19\x1a\x1b\x1c\x1d\x1e\x1f"))
		ref, err := url.Parse(browser)
		if err != nil {
			t.Fatalf("safeNext(%q) = %q, which does not parse: %v", next, got, err)
		}
		if u := home.ResolveReference(ref); u.Host != home.Host || u.Scheme != home.Scheme {
			t.Fatalf("safeNext(%q) = %q leads to %s", next, got, u)
		}
	})
}
