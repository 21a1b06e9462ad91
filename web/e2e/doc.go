// Package e2e holds Trygg's browser test (e2e_test.go, run.mjs): the resident, the
// moderator and the public map in Debian's chromium against the real server. It has no
// code of its own. patrol_phone.mjs (phone_test.go) is the patrol tab on a phone.
package e2e
