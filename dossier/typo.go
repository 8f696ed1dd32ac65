package dossier

import "fmt"

// typo finds, among the declared identifiers, one that id differs from by
// a single character or by two adjacent characters swapped, and says where.
func typo(id string, declared []string) (string, string) {
	for _, d := range declared {
		if len(d) != len(id) {
			continue
		}
		var diff []int
		for i := range len(id) {
			if id[i] != d[i] {
				diff = append(diff, i)
			}
		}
		switch {
		case len(diff) == 1:
			i := diff[0]
			return d, fmt.Sprintf("%de chiffre : %c au lieu de %c", i+1, id[i], d[i])
		case len(diff) == 2 && diff[1] == diff[0]+1 && id[diff[0]] == d[diff[1]] && id[diff[1]] == d[diff[0]]:
			return d, fmt.Sprintf("%de et %de chiffres inversés", diff[0]+1, diff[1]+1)
		}
	}
	return "", ""
}
