package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/trygg-gis/trygg"
	"github.com/trygg-gis/trygg/auth"
)

// stdin is where --password-stdin reads; tests replace it.
var stdin io.Reader = os.Stdin

// cliContext marks ctx as the command line's, so the audit log names who ran it.
func cliContext(ctx context.Context, getenv func(string) string) context.Context {
	who := getenv("USER")
	if who == "" {
		who = "unknown"
	}
	return trygg.NewContext(ctx, &trygg.Caller{Actor: "cli:" + who})
}

// readPassword returns the first line of stdin, or a new random password (printed).
func readPassword(fromStdin bool) (password string, generated bool, err error) {
	if !fromStdin {
		return auth.NewPassword(), true, nil
	}
	line, err := bufio.NewReader(stdin).ReadString('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return "", false, err
	}
	password = strings.TrimRight(line, "\r\n")
	return password, false, trygg.ValidatePassword(password)
}

const userUsage = `Usage:
  trygg user add --email EMAIL --role ROLE --org ORGANISATION [--password-stdin]
  trygg user passwd --email EMAIL [--password-stdin]

Adds a staff user, or sets a user's password (which ends the user's sessions). Without
--password-stdin a random password is made and printed once. Roles: admin, planner,
police, moderator; police only in a police area, planner and moderator only in a
municipality. Organisations are ids such as kommun-1470 or lpo-vastra-skaraborg.`

func runUser(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	if len(args) == 0 || (args[0] != "add" && args[0] != "passwd") {
		if len(args) > 0 && isHelp(args[0]) {
			fmt.Fprintln(stdout, userUsage)
			return nil
		}
		return errors.New("usage: trygg user add|passwd … (trygg user -h)")
	}
	var (
		db                dbConfig
		email, role, org  string
		passwordFromStdin bool
	)
	f := newEnvFlags("user "+args[0], getenv, stderr, userUsage)
	db.register(f)
	f.fs.StringVar(&email, "email", "", "the user's e-mail address")
	f.fs.BoolVar(&passwordFromStdin, "password-stdin", false, "read the password from the first line of standard input")
	if args[0] == "add" {
		f.fs.StringVar(&role, "role", "", "admin, planner, police or moderator")
		f.fs.StringVar(&org, "org", "", "organisation id, e.g. kommun-1470 or lpo-vastra-skaraborg")
	}
	if err := f.Parse(args[1:]); err != nil {
		return err
	}
	if err := db.validate(); err != nil {
		return err
	}
	if email == "" {
		return errors.New("--email is required")
	}
	if args[0] == "add" && (role == "" || org == "") {
		return errors.New("--role and --org are required")
	}
	password, generated, err := readPassword(passwordFromStdin)
	if err != nil {
		return err
	}
	hash, err := auth.HashPassword(password)
	if err != nil {
		return err
	}
	store, err := openDB(ctx, db)
	if err != nil {
		return err
	}
	defer store.Close()
	ctx = cliContext(ctx, getenv)

	switch args[0] {
	case "add":
		u, err := store.CreateUser(ctx, email, trygg.Role(role), org, hash, false)
		if err != nil {
			return cliError(err)
		}
		fmt.Fprintf(stdout, "added %s (%s, %s; municipalities %s)\n", u.Email, u.Role, u.Organisation.Name,
			strings.Join(u.Municipalities, ", "))
	case "passwd":
		u, err := store.UserByEmail(ctx, email)
		if err != nil {
			return cliError(err)
		}
		if err := store.SetPassword(ctx, u.ID, hash); err != nil {
			return cliError(err)
		}
		fmt.Fprintf(stdout, "password of %s set; the user's sessions have ended\n", u.Email)
	}
	if generated {
		fmt.Fprintf(stdout, "password: %s\n(shown this once)\n", password)
	}
	return nil
}

const tokenUsage = `Usage:
  trygg token create --user EMAIL --name NAME
  trygg token revoke ID

Creates a bearer token for a machine client acting as the user (printed once; only its
hash is stored), or revokes one. Clients send it as "Authorization: Bearer TOKEN".`

func runToken(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	if len(args) == 0 || (args[0] != "create" && args[0] != "revoke") {
		if len(args) > 0 && isHelp(args[0]) {
			fmt.Fprintln(stdout, tokenUsage)
			return nil
		}
		return errors.New("usage: trygg token create|revoke … (trygg token -h)")
	}
	var (
		db          dbConfig
		email, name string
	)
	f := newEnvFlags("token "+args[0], getenv, stderr, tokenUsage)
	db.register(f)
	if args[0] == "create" {
		f.fs.StringVar(&email, "user", "", "e-mail address of the user the token acts as")
		f.fs.StringVar(&name, "name", "", "what the token is for, e.g. \"QGIS at the planning office\"")
	}
	if err := f.Parse(args[1:]); err != nil {
		return err
	}
	if err := db.validate(); err != nil {
		return err
	}
	if args[0] == "create" && (email == "" || strings.TrimSpace(name) == "") {
		return errors.New("--user and --name are required")
	}
	if args[0] == "revoke" && f.fs.NArg() != 1 {
		return errors.New("usage: trygg token revoke ID")
	}
	store, err := openDB(ctx, db)
	if err != nil {
		return err
	}
	defer store.Close()
	ctx = cliContext(ctx, getenv)

	if args[0] == "revoke" {
		t, err := store.RevokeAPIToken(ctx, f.fs.Arg(0))
		if err != nil {
			return cliError(err)
		}
		fmt.Fprintf(stdout, "revoked token %s (%s) of %s\n", t.ID, t.Name, t.UserEmail)
		return nil
	}
	u, err := store.UserByEmail(ctx, email)
	if err != nil {
		return cliError(err)
	}
	secret := auth.NewToken(auth.APITokenPrefix)
	t, err := store.CreateAPIToken(ctx, u.ID, strings.TrimSpace(name), auth.HashToken(secret))
	if err != nil {
		return cliError(err)
	}
	fmt.Fprintf(stdout, "token %s (%s) for %s:\n%s\n(shown this once)\n", t.ID, t.Name, u.Email, secret)
	return nil
}

// cliError turns a domain error into its plain message.
func cliError(err error) error {
	if c := trygg.ErrorCode(err); c != trygg.EINTERNAL {
		return errors.New(trygg.ErrorMessage(err))
	}
	return err
}

func isHelp(arg string) bool {
	a := strings.TrimLeft(arg, "-")
	return a == "h" || a == "help"
}
