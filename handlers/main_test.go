package handlers_test

import (
	"flag"
	"fmt"
	"os"
	"testing"

	"switchboard/models/modeltest"
)

// testDialect is the database the tests run on now: TestMain runs every
// test of the package once on each.
var testDialect = modeltest.Dialects[0]

func TestMain(m *testing.M) {
	flag.Parse()
	dialects := modeltest.Dialects[:]
	if f := flag.Lookup("test.fuzz"); f != nil && f.Value.String() != "" {
		dialects = dialects[:1] // a fuzz target runs once; its properties do not touch the database
	}
	code := 0
	for _, d := range dialects {
		testDialect = d
		fmt.Printf("--- handlers tests on %s\n", d)
		if c := m.Run(); c != 0 {
			fmt.Printf("--- handlers tests FAILED on %s\n", d)
			code = c
		}
	}
	os.Exit(code)
}
