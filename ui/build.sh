#!/bin/sh
# Copy the YASGUI bundle installed by `npm ci` into the package's static files
# (endpoint/static/yasgui), so that the server needs neither npm nor a CDN at run time.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
src="$here/node_modules/@zazuko/yasgui"
dest="$here/../endpoint/static/yasgui"
if [ ! -f "$src/build/yasgui.min.js" ]; then
  echo "build.sh: $src/build/yasgui.min.js is missing; run 'npm ci' in ui/ first" >&2
  exit 1
fi
version=$(node -p "require('$src/package.json').version")
mkdir -p "$dest"
cp "$src/build/yasgui.min.js" "$src/build/yasgui.min.css" "$dest/"
# The npm package ships no licence file: keep the MIT licence of YASGUI (ui/YASGUI-LICENSE) next to the bundle.
cp "$here/YASGUI-LICENSE" "$dest/LICENSE"
# Drop the source-map reference: the map (3.5 MB) is not shipped, and browsers would ask for it.
sed -i -e '/^\/\/# sourceMappingURL=/d' -e 's|//# sourceMappingURL=[^ ]*$||' "$dest/yasgui.min.js"
sed -i -e 's|/\*# sourceMappingURL=[^*]*\*/||' "$dest/yasgui.min.css"
printf '@zazuko/yasgui %s\n' "$version" > "$dest/VERSION"
node "$here/licenses.js" > "$dest/THIRD-PARTY-LICENSES.txt"
echo "build.sh: copied @zazuko/yasgui $version to $dest"
ls -l "$dest"
