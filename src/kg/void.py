"""VoID description (placeholder until the links work lands)."""


def write_void(layers, project, out) -> None:
    return None
