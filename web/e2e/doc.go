// Package e2e holds Trygg's browser test (e2e_test.go, run.mjs): the resident, the
// moderator and the public map in Debian's chromium against the real server. It has no
// code of its own.
package e2e
