package views

import "github.com/a-h/templ"

// invalid ties a field to the server-side error that names it: a screen
// reader hears that the field is wrong and why. field is the name the
// error carries (config.url); shownAs is the slot FieldError shows it in
// (config), whose message has the id error-<shownAs>.
func invalid(errs map[string]string, field, shownAs string) templ.Attributes {
	if _, ok := errs[field]; !ok {
		return nil
	}
	return templ.Attributes{"aria-invalid": "true", "aria-describedby": "error-" + shownAs}
}

// invalidGroup points a group of fields (a fieldset) at its one message.
func invalidGroup(errs map[string]string, shownAs string) templ.Attributes {
	if _, ok := errs[shownAs]; !ok {
		return nil
	}
	return templ.Attributes{"aria-describedby": "error-" + shownAs}
}

// invalidAny is invalid for a control that several error names point at:
// an interval's "every" is wrong whichever unit the error names.
func invalidAny(errs map[string]string, shownAs string, fields ...string) templ.Attributes {
	for _, f := range fields {
		if a := invalid(errs, f, shownAs); a != nil {
			return a
		}
	}
	return nil
}
