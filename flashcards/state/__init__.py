"""What a build keeps between builds, and how it writes it safely.

The pipeline (read → parse → extract → cards → package) lives at the
package's top level; this subpackage holds the state around it: the lock file
and reconciling against it (:mod:`.lockfile`, :mod:`.reconcile`,
:mod:`.clozes`), the per-note cache and the up-to-date record
(:mod:`.cache`, :mod:`.uptodate`), patching the last deck (:mod:`.patching`),
the build lock (:mod:`.buildlock`) and atomic, deterministic writes
(:mod:`.atomic`, :mod:`.zipped`).
"""
