"""Package layout (metadata and dependencies are in setup.cfg).

The top-level folders ``tuning/`` and ``tfds_builders/`` (the project's layout) install as ``serzoo.tuning`` and
``serzoo.tfds_builders``, and the shipped presets in ``exported/`` as ``serzoo/exported/`` data, so nothing
installs under a generic top-level name. Editable installs map the same names onto the folders.
"""

from setuptools import find_packages, setup

#: top-level folder -> the name it installs under
RENAMED = {"tuning": "serzoo.tuning", "tfds_builders": "serzoo.tfds_builders"}

packages = find_packages(include=["serzoo", "serzoo.*"])
for folder, name in RENAMED.items():
    packages += [name + sub.removeprefix(folder) for sub in find_packages(include=[folder, folder + ".*"])]

setup(
    packages=[*packages, "serzoo.exported"],
    package_dir={**{name: folder for folder, name in RENAMED.items()}, "serzoo.exported": "exported"},
    package_data={
        "serzoo.tfds_builders": ["*/checksums.tsv", "*/CITATIONS.bib", "*/README.md", "*/TAGS.txt"],
        "serzoo.exported": ["README.md", "*/MODEL_CARD.md", "*/*/*.json", "*/*/*.pb", "*/*/variables/*"],
    },
)
