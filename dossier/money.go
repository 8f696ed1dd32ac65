package dossier

import (
	"github.com/segur-sons/segur/internal/fr"
	"github.com/shopspring/decimal"
)

var hundred = decimal.NewFromInt(100)

// Montants is an amount with its TVA and TTC.
type Montants struct {
	HT, TVA, TTC decimal.Decimal
}

// Round2 rounds half-up to the cent (amounts are never negative).
func Round2(d decimal.Decimal) decimal.Decimal { return d.Round(2) }

// WithTVA returns ht with TVA = ht × rate / 100 rounded half-up, TTC = HT + TVA.
func WithTVA(ht, rate decimal.Decimal) Montants {
	tva := Round2(ht.Mul(rate).Div(hundred))
	return Montants{HT: ht, TVA: tva, TTC: ht.Add(tva)}
}

// Percent returns pct % of d, rounded half-up to the cent.
func Percent(d decimal.Decimal, pct int) decimal.Decimal {
	return Round2(d.Mul(decimal.NewFromInt(int64(pct))).Div(hundred))
}

// htFromTTC converts a TTC ceiling into HT at rate, half-up.
func htFromTTC(ttc, rate decimal.Decimal) decimal.Decimal {
	return ttc.DivRound(decimal.NewFromInt(1).Add(rate.Div(hundred)), 2)
}

// Plafond returns the HT ceiling of a perimeter: n médecins for a libéral
// client, or a structure of effectifs, at the given TVA rate. A ceiling
// stated in TTC is converted both per unit and on the total, and the lower
// result wins, so that segur never proposes an amount the ASP could find
// above its own ceiling. rate is the rate of the conversion: the
// BDC's, or the dispositif's taux_non_assujetti when the BDC's is 0.
func (b *Bareme) Plafond(base PlafondBase, clientType string, n, effectifs int, rate decimal.Decimal) decimal.Decimal {
	if clientType == Structure {
		eff := decimal.NewFromInt(int64(effectifs))
		total := b.StructureFixe.Add(b.StructureParEffectif.Mul(eff))
		if base != PlafondTTC {
			return total
		}
		perUnit := htFromTTC(b.StructureFixe, rate).Add(htFromTTC(b.StructureParEffectif, rate).Mul(eff))
		return decimal.Min(perUnit, htFromTTC(total, rate))
	}
	count := decimal.NewFromInt(int64(n))
	total := b.LiberalParBeneficiaire.Mul(count)
	if base != PlafondTTC {
		return total
	}
	perUnit := htFromTTC(b.LiberalParBeneficiaire, rate).Mul(count)
	return decimal.Min(perUnit, htFromTTC(total, rate))
}

// euros formats an amount for messages the French way: 1 075,50 (the unit
// follows in the message).
func euros(d decimal.Decimal) string { return fr.Amount(d.StringFixed(2)) }
