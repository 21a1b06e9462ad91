// Package e2e holds Trygg's browser test (e2e_test.go, run.mjs): the resident, the
// moderator and the public map in Debian's chromium against the real server. It has no
// code of its own. patrol_phone.mjs (phone_test.go) is the patrol tab on a phone;
// slow4g.mjs (slow4g_test.go) the resident page's first map on Slow 4G, through a
// throttling proxy.
package e2e
