package jsondepth

import (
	"strings"
	"testing"
)

func TestOver(t *testing.T) {
	deep := strings.Repeat("[", Max)
	for _, tc := range []struct {
		name string
		data string
		want int
	}{
		{"empty", "", -1},
		{"flat", `{"a":[1,2,{"b":null}]}`, -1},
		{"exactly Max", deep + strings.Repeat("]", Max), -1},
		{"Max unclosed", deep, -1},
		{"one more", deep + "[", Max},
		{"objects", strings.Repeat(`{"a":`, Max+1) + "1", (Max) * 5},
		{"brackets in strings", `["` + strings.Repeat("[", 2*Max) + `"]`, -1},
		{"escaped quote in a string", `["\"` + strings.Repeat("[", 2*Max) + `"]`, -1},
		{"escaped backslash ends the string", `["\\"` + deep + "]", len(`["\\"`) + Max - 1},
		{"closers go no lower than the top", strings.Repeat("]", 10) + deep + "[", 10 + Max},
		{"siblings do not add up", strings.Repeat("[]", 2*Max), -1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := Over(tc.data); got != tc.want {
				t.Errorf("Over = %d, want %d", got, tc.want)
			}
			if got := Over([]byte(tc.data)); got != tc.want {
				t.Errorf("Over([]byte) = %d, want %d", got, tc.want)
			}
		})
	}
}

func TestValid(t *testing.T) {
	for _, tc := range []struct {
		data string
		want bool
	}{
		{`{"a":1}`, true},
		{`{"a":`, false},
		{strings.Repeat("[", Max) + strings.Repeat("]", Max), true},
		{strings.Repeat("[", Max+1) + strings.Repeat("]", Max+1), false},
		// Deep enough to exhaust a stack if gjson read it: Valid must
		// say no before gjson starts.
		{strings.Repeat("[", 1<<20) + strings.Repeat("]", 1<<20), false},
	} {
		if got := Valid(tc.data); got != tc.want {
			t.Errorf("Valid(%.20q…) = %v, want %v", tc.data, got, tc.want)
		}
		if got := Valid([]byte(tc.data)); got != tc.want {
			t.Errorf("Valid([]byte(%.20q…)) = %v, want %v", tc.data, got, tc.want)
		}
	}
}
