package npmlock

import "testing"

// TestQuickSatisfies checks the shortcut for "^" and "~" ranges against
// the full decoder, on each version of a grid.
func TestQuickSatisfies(t *testing.T) {
	ranges := []string{"^1.2.3", "^0.2.3", "^0.0.3", "~1.2.3", "~0.0.3", "^10.20.30", "~0.2.0", "^1.0.0", "^0.0.0"}
	versions := []string{"0.0.0", "0.0.3", "0.0.4", "0.2.3", "0.2.9", "0.3.0", "1.2.2", "1.2.3", "1.2.9", "1.3.0", "1.9.9", "2.0.0", "10.20.30", "10.99.0", "11.0.0"}
	for _, r := range ranges {
		alts, ok := parseRange(r)
		if !ok {
			t.Fatalf("parseRange(%q) failed", r)
		}
		for _, v := range versions {
			got, known := quickSatisfies(r, v)
			if !known {
				t.Errorf("quickSatisfies(%q, %q): not known", r, v)
				continue
			}
			if want := satisfies(v, alts); got != want {
				t.Errorf("quickSatisfies(%q, %q) = %v, the decoder says %v", r, v, got, want)
			}
		}
	}
	for _, c := range [][2]string{{"^1.2", "1.2.3"}, {">=1.2.3", "1.2.3"}, {"^1.2.3-rc.1", "1.2.3"}, {"^1.2.3", "1.2.3-rc.1"}, {"^1.x.3", "1.2.3"}, {"~1.2.3 || 2", "2.0.0"}} {
		if _, known := quickSatisfies(c[0], c[1]); known {
			t.Errorf("quickSatisfies(%q, %q) claims to know", c[0], c[1])
		}
	}
}
