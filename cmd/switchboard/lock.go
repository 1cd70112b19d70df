package main

import (
	"errors"
	"fmt"
	"os"
	"syscall"
)

// lockDatabase takes an exclusive lock beside the database for as long as a
// server uses it: a second server (two schedulers would run every job twice)
// and a restore are refused while it is held.
func lockDatabase(dbPath string) (func(), error) {
	f, err := os.OpenFile(dbPath+".lock", os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, err
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		f.Close()
		if errors.Is(err, syscall.EWOULDBLOCK) {
			return nil, fmt.Errorf("%s is in use by a running switchboard server", dbPath)
		}
		return nil, err
	}
	return func() { f.Close() }, nil
}
