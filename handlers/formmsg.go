package handlers

import (
	"regexp"
	"strings"

	"switchboard/models"
)

// The API's messages name fields as JSON keys ("timeout_seconds"); a
// person at the job form or the schedule editor reads the labels. These
// reword a validation message for the form: it starts with the field's
// label and names no key.

// formLabels are the labels of the job form and the schedule editor, by
// the key a message names.
func formLabels() map[string]string {
	return map[string]string{
		"id": "Id", "job_id": "Id", "kind": "Kind", "name": "Name", "description": "Description",
		"timeout_seconds": "Timeout (seconds)", "market_hours_only": "Only during market hours",
		"config": "Settings", "config.prompt": "Prompt", "config.model": "Model", "config.url": "URL",
		"config.method": "Method", "config.headers": "Headers", "config.body": "Body",
		"trigger": "Schedule", "mode": "Schedule", "version": "Version",
		"minute": "Minute", "hour": "Hour", "day": "Day", "month": "Month", "day_of_week": "Weekdays", "second": "Second",
		"expression": "Crontab line", "run_date": "Run once at", "every": "Every", "unit": "Unit",
		"seconds": "Every", "minutes": "Every", "hours": "Every", "days": "Every", "weeks": "Every",
	}
}

var (
	// `Invalid cron field "hour": …`, `Invalid "timeout_seconds": …`
	invalidKey = regexp.MustCompile(`^Invalid (?:cron field |interval field |date field )?"([a-z_.]+)"(?: for a [a-z]+ job)?:\s*`)
	// `Field "name" is required.`
	fieldKey = regexp.MustCompile(`^Field "([a-z_.]+)" `)
	// `Invalid job_id 'x'. Must be …`
	badID     = regexp.MustCompile(`^Invalid job_id '(.*)'\. Must be`)
	quotedKey = regexp.MustCompile(`"([a-z_.]+)"`)
)

// formMessage is ve's message as the form shows it.
func formMessage(ve *models.ValidationError) string {
	msg := ve.Message
	label := func(key string) string {
		if l, ok := formLabels()[key]; ok {
			return l
		}
		return key
	}
	switch {
	case badID.MatchString(msg):
		msg = badID.ReplaceAllString(msg, `Id "$1": must be`)
	case invalidKey.MatchString(msg):
		key := invalidKey.FindStringSubmatch(msg)[1]
		msg = label(key) + ": " + msg[len(invalidKey.FindString(msg)):]
	case fieldKey.MatchString(msg):
		key := fieldKey.FindStringSubmatch(msg)[1]
		msg = label(key) + " " + msg[len(fieldKey.FindString(msg)):]
	}
	msg = quotedKey.ReplaceAllStringFunc(msg, func(q string) string {
		if l, ok := formLabels()[q[1:len(q)-1]]; ok {
			return l
		}
		return q
	})
	msg = strings.ReplaceAll(msg, "day_of_week", "weekday") // in a list of fields, unquoted
	return strings.ReplaceAll(msg, "an integer", "a whole number")
}

// formFieldErrors is fieldErrors with each message as the form shows it.
func formFieldErrors(err error, rename map[string]string) (map[string]string, error) {
	errs, other := fieldErrors(err, rename)
	if other != nil {
		return nil, other
	}
	ve, _ := asValidation(err) // fieldErrors found one
	for k := range errs {
		errs[k] = formMessage(ve)
	}
	return errs, nil
}
