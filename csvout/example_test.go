package csvout_test

import (
	"os"

	"github.com/trygg-gis/trygg/csvout"
)

func ExampleWriter() {
	w := csvout.NewWriter(os.Stdout, []csvout.Column{csvout.Text("description"), csvout.Number("z")})
	w.WriteHeader()                                //nolint:errcheck // checked at Flush
	w.Write([]string{"=HYPERLINK(\"x\")", "-3.5"}) //nolint:errcheck
	w.Write([]string{"Mörk gång", "2.1"})          //nolint:errcheck
	w.Flush()                                      //nolint:errcheck
	// Output:
	// description,z
	// "'=HYPERLINK(""x"")",-3.5
	// Mörk gång,2.1
}
