// Hooks through which the external tests see what the package keeps to itself.
package credentials

// ProfileKeysChecked reports whether p's keys, with its AccessKey as it is
// now, were checked when its file was read, so that Retrieve does not
// check them again.
func ProfileKeysChecked(p *Profile) bool {
	sec := p.secrets.get()
	return sec.checkedAK != "" && sec.checkedAK == p.AccessKey
}
