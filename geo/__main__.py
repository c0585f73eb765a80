"""``python -m geo build``: rebuild the boundary cache explicitly."""

import argparse
import sys

from geo import CacheError, SourceError, cache


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m geo", description=__doc__)
    parser.add_argument("command", choices=["build"], help="build: rebuild the cache")
    parser.add_argument("--cache-dir", help="cache directory (default: $CHENGYU_CACHE_DIR "
                        "or ~/.cache/chengyu-atlas)")
    args = parser.parse_args(argv)
    try:
        cache.load_or_build(args.cache_dir, rebuild=True)
    except (CacheError, SourceError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
