package retro

import "sort"

// Ranked is one field of a retro's results: its items, most dots first.
type Ranked struct {
	Field string
	Items []RankedItem
}

// RankedItem is an item with the dots it got.
type RankedItem struct {
	Item
	Dots int
}

// Results are a retro's ranked fields and who took part in the vote.
type Results struct {
	Fields []Ranked
	// Voters is how many people placed at least one dot; DotsPlaced how many dots in all.
	Voters, DotsPlaced int
}

// Rank totals the ballots per item and ranks each field's items by dots, most first; items
// with as many dots keep the order they were added in, so a ranking never changes between two
// computations of the same votes.
func Rank(fields []string, items []Item, ballots []Ballot) Results {
	totals := map[int]int{}
	var res Results
	for _, b := range ballots {
		if b.Used > 0 {
			res.Voters++
		}
		for n, d := range b.Dots {
			if d > 0 {
				totals[n] += d
				res.DotsPlaced += d
			}
		}
	}
	res.Fields = make([]Ranked, len(fields))
	for i, f := range fields {
		res.Fields[i].Field = f
	}
	for _, it := range items {
		if it.Field < 0 || it.Field >= len(fields) {
			continue
		}
		res.Fields[it.Field].Items = append(res.Fields[it.Field].Items, RankedItem{Item: it, Dots: totals[it.N]})
	}
	for i := range res.Fields {
		byDots(res.Fields[i].Items)
	}
	return res
}

func byDots(items []RankedItem) {
	sort.SliceStable(items, func(a, b int) bool {
		if items[a].Dots != items[b].Dots {
			return items[a].Dots > items[b].Dots
		}
		return items[a].N < items[b].N
	})
}

// Top returns the n items with the most dots across every field (items without a dot never
// count), ties broken by the order they were added in.
func (r Results) Top(n int) []RankedItem {
	var all []RankedItem
	for _, f := range r.Fields {
		for _, it := range f.Items {
			if it.Dots > 0 {
				all = append(all, it)
			}
		}
	}
	byDots(all)
	if len(all) > n {
		all = all[:n]
	}
	return all
}

// Totals are the dots per item number.
func Totals(ballots []Ballot) map[int]int {
	out := map[int]int{}
	for _, b := range ballots {
		for n, d := range b.Dots {
			out[n] += d
		}
	}
	return out
}
