package web

// NewFS is newHandler for the tests: the app from a tree other than the embedded one.
var NewFS = newHandler
