package econ

import "slices"

// Quartiles are the first quartile, median and third quartile of a sample,
// by linear interpolation between order statistics (the "inclusive" method:
// numpy's default, Excel's QUARTILE.INC). The median of an even-sized sample
// is the mean of the two middle values.
type Quartiles[T ~float64] struct {
	Q1, Median, Q3 T
}

// QuartilesOf returns the quartiles of values, and false for an empty
// sample. The input is not modified; the result does not depend on its order.
func QuartilesOf[T ~float64](values []T) (Quartiles[T], bool) {
	if len(values) == 0 {
		return Quartiles[T]{}, false
	}
	var buf [32]T
	s := append(buf[:0], values...)
	slices.Sort(s)
	return Quartiles[T]{Q1: quantileSorted(s, 0.25), Median: quantileSorted(s, 0.5), Q3: quantileSorted(s, 0.75)}, true
}

// quantileSorted returns the q-quantile (0 ≤ q ≤ 1) of a sorted, non-empty
// sample by linear interpolation at position q·(n−1).
func quantileSorted[T ~float64](s []T, q float64) T {
	pos := q * float64(len(s)-1)
	i := int(pos)
	if i >= len(s)-1 {
		return s[len(s)-1]
	}
	frac := T(pos - float64(i))
	return s[i] + (s[i+1]-s[i])*frac
}
