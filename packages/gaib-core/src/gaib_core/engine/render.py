"""A plan as Terraform-style lines, without any terminal dependency.

Each :class:`Line` carries a ``style`` (create, update, delete, replace, note, warning, alert,
error, heading, plain) that the CLI maps to colors. ``render_plan`` is the compact view of
``gaib server plan``; ``detailed=True`` is ``gaib server diff``: every attribute with old and new
values, permission names instead of bits, colors as ``#RRGGBB``, references by name.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from gaib_core.config.models import (
    ChannelType,
    ContentFilter,
    DefaultNotifications,
    VerificationLevel,
)
from gaib_core.engine.plan import Plan, ResourceChange
from gaib_core.engine.server import SHA256
from gaib_core.permissions import to_names

STYLE = {"create": "create", "update": "update", "delete": "delete", "replace": "replace"}
# Server settings shown by name rather than Discord's number.
SETTING_NAMES = {
    "verification_level": [level.value for level in VerificationLevel],
    "default_notifications": [setting.value for setting in DefaultNotifications],
    "explicit_content_filter": [level.value for level in ContentFilter],
}


@dataclass(frozen=True)
class Line:
    """One output line and how to color it."""

    text: str
    style: str = "plain"


def type_name(discord_type: int) -> str:
    """``text``, ``voice``, ... for a Discord channel type number."""
    if discord_type == 4:
        return "category"
    try:
        return ChannelType.from_discord(discord_type).value
    except ValueError:
        return f"type {discord_type}"


def format_value(attribute: str, value: Any, plan: Plan) -> str:
    """A value as a person reads it."""
    base = attribute.split("[", 1)[0]
    if value is None:
        return "(none)"
    if base == "color":
        return f"#{int(value):06X}"
    if base == "permissions":
        names = to_names(int(value))
        return "[" + ", ".join(names) + "]" if names else "[]"
    if base == "overwrites":
        allow = ", ".join(to_names(int(value.get("allow", 0)))) or "-"
        deny = ", ".join(to_names(int(value.get("deny", 0)))) or "-"
        return f"allow [{allow}] deny [{deny}]"
    if base == "parent":
        return plan.ref_names.get(str(value), str(value))
    if base == "type":
        return type_name(int(value))
    if base == "position":
        return f"#{value}"
    if base in SETTING_NAMES:
        return SETTING_NAMES[base][int(value)]
    if base == "icon":
        text = str(value)
        if text.startswith(SHA256):
            return f"sha256 {text[len(SHA256) : len(SHA256) + 12]}"
        return f"Discord icon {text}"
    if base in ("afk_channel", "system_channel"):
        return plan.ref_names.get(str(value), str(value))
    if isinstance(value, str):
        return f'"{value}"'
    return str(value).lower() if isinstance(value, bool) else str(value)


def attribute_label(attribute: str, plan: Plan) -> str:
    """``overwrites[role.naib]`` -> ``overwrite Naib``; ``position`` -> ``order``."""
    if attribute.startswith("overwrites["):
        ref = attribute[len("overwrites[") : -1]
        return f"overwrite {plan.ref_names.get(ref, ref)}"
    return "order" if attribute == "position" else attribute


def _permission_delta(before: int, after: int) -> str:
    added = to_names(after & ~before)
    removed = to_names(before & ~after)
    return " ".join([*(f"+{n}" for n in added), *(f"-{n}" for n in removed)])


def _title(change: ResourceChange) -> str:
    if change.kind == "server":
        return f'  {change.symbol} server  "{change.name}"'
    label = change.kind if change.kind != "everyone" else "role"
    suffix = ""
    if change.action == "replace":
        suffix = "  (type change forces replacement)"
    if change.adopted:
        suffix += "  (adopted)"
    if change.save_state and change.action == "no-op":
        suffix += "  (lifecycle settings saved to state; no request)"
    return f'  {change.symbol} {change.address}  {label} "{change.name}"{suffix}'


def _attribute_lines(change: ResourceChange, plan: Plan, detailed: bool) -> list[Line]:
    out: list[Line] = []
    style = STYLE.get(change.action, "plain")
    if change.action in ("create", "replace") and detailed:
        from gaib_core.engine.diff import creation_attributes

        desired = change.role or change.channel
        items = creation_attributes(desired) if desired is not None else []
        for item in items:
            label = attribute_label(item.attribute, plan)
            out.append(
                Line(f"      + {label}: {format_value(item.attribute, item.after, plan)}", "create")
            )
        return out
    for item in change.changes:
        label = attribute_label(item.attribute, plan)
        base = item.attribute.split("[", 1)[0]
        if item.before is None:
            symbol, line_style = "+", "create"
        elif item.after is None:
            symbol, line_style = "-", "delete"
        else:
            symbol, line_style = "~", style if style != "replace" else "update"
        if base == "permissions" and not detailed and item.before is not None:
            text = _permission_delta(int(item.before), int(item.after))
        elif item.before is None:
            text = format_value(item.attribute, item.after, plan)
        elif item.after is None:
            text = format_value(item.attribute, item.before, plan)
        else:
            text = (
                f"{format_value(item.attribute, item.before, plan)} -> "
                f"{format_value(item.attribute, item.after, plan)}"
            )
        flag = "  # forces replacement" if item.forces_replacement else ""
        if base == "icon" and item.after is not None and change.server is not None:
            flag = f"  # {change.server.icon_file}"
        out.append(Line(f"      {symbol} {label}: {text}{flag}", line_style))
    return out


def theme_lines(plan: Plan) -> list[Line]:
    """``~ theme sietch 3.1.0, last applied 3.0.0`` and the variables that changed."""
    new, old = plan.theme, plan.theme_applied
    if not plan.theme_changed or new is None or old is None:
        return []
    if new.name != old.name:
        title = f"theme {new.name} {new.version}, last applied {old.name} {old.version}"
    elif new.version != old.version:
        title = f"theme {new.name} {new.version}, last applied {old.version}"
    else:
        title = f"theme {new.name} {new.version}: variables changed since the last apply"
    lines = [Line(f"  ~ {title}", "update")]
    if new.name == old.name:
        for name in sorted(set(new.variables) | set(old.variables)):
            before, after = old.variables.get(name), new.variables.get(name)
            if before != after:
                lines.append(
                    Line(f"      ~ {name}: {_variable(before)} -> {_variable(after)}", "update")
                )
    return lines


def _variable(value: Any) -> str:
    if value is None:
        return "(none)"
    if isinstance(value, bool):
        return "true" if value else "false"
    return f'"{value}"' if isinstance(value, str) else str(value)


def effect_lines(plan: Plan) -> list[Line]:
    """The "Permission effects" section: the plan's changes as who gains or loses what where
    (:mod:`gaib_core.engine.effects`); a channel becoming visible to @everyone is an alert."""
    from gaib_core.engine.effects import permission_effects

    if not plan.actionable() or plan.errors:
        return []
    effects = permission_effects(plan)
    if effects.empty:
        return []
    lines = [Line(""), Line("Permission effects (a member holding only that role):", "heading")]
    lines += [Line(f"  ! {text}", "alert") for text in effects.administrators]
    for effect in effects.effects:
        style = (
            "update" if effect.gains and effect.loses else "create" if effect.gains else "delete"
        )
        lines.append(Line(f"  {_effect_symbol(style)} {effect.text}", style))
    lines += [Line(f"  + {seen.text}", "create") for seen in effects.new_roles]
    lines += [Line(f"  + {seen.text}", "create") for seen in effects.new_channels]
    for label in effects.now_public:
        lines.append(
            Line(
                f"Warning: {label} becomes visible to @everyone (every member can see it)", "alert"
            )
        )
    return lines


def _effect_symbol(style: str) -> str:
    return {"create": "+", "delete": "-"}.get(style, "~")


def render_plan(plan: Plan, *, detailed: bool = False) -> list[Line]:
    """The plan as lines (summary last)."""
    lines: list[Line] = []
    changes = plan.actionable()
    if changes or plan.role_order or plan.channel_positions or plan.forget or plan.theme_changed:
        lines.append(Line("gaib will perform the following actions:", "heading"))
        lines.append(Line(""))
    lines.extend(theme_lines(plan))
    for change in changes:
        lines.append(Line(_title(change), STYLE.get(change.action, "plain")))
        lines.extend(_attribute_lines(change, plan, detailed))
        for note in change.notes:
            if change.action != "delete" or detailed:
                lines.append(Line(f"      # {note}", "note"))
    if plan.role_order:
        before = [plan.ref_names.get(r, r) for r in plan.role_order_before]
        after = [plan.ref_names.get(r, r) for r in plan.role_order]
        lines.append(Line("  ~ role order (top to bottom)", "update"))
        if detailed:
            lines.append(Line(f"      - {', '.join(before)}", "delete"))
        lines.append(Line(f"      + {', '.join(after)}", "create"))
        if plan.role_order == plan.role_order_before:
            created = {c.address for c in changes if c.kind == "role" and c.action == "create"}
            note = (
                "      # puts the new roles in this order (Discord creates each at the bottom)"
                if created & set(plan.role_order)
                else "      # same order; gives each role its own position (some share one now)"
            )
            lines.append(Line(note, "note"))
    if plan.channel_positions and detailed:
        moved = ", ".join(plan.ref_names.get(r, r) for r in plan.channel_positions)
        lines.append(Line(f"  ~ channel positions: {moved}", "update"))
    for address in plan.forget:
        lines.append(
            Line(f"  # {address} is gone from the guild; it will be removed from state", "note")
        )
    if plan.unmanaged and plan.unmanaged_policy == "report":
        lines.append(Line(""))
        lines.append(
            Line(
                "Objects in the guild that gaib does not manage (server.unmanaged: report):",
                "heading",
            )
        )
        for obj in plan.unmanaged:
            lines.append(Line(f'  ? {obj.kind} "{obj.name}" (id {obj.id})', "note"))
    lines.extend(effect_lines(plan))
    for reason in plan.removals_first:
        lines.append(Line(f"Note: removals run before creations: {reason}.", "note"))
    for warning in plan.warnings:
        lines.append(Line(f"Warning: {warning}", "warning"))
    for error in plan.errors:
        lines.append(Line(f"Error: {error}", "error"))
    if lines:
        lines.append(Line(""))
    if plan.errors:
        count = len(plan.errors)
        lines.append(
            Line(
                f"The plan has {count} problem{'s' if count > 1 else ''}; "
                f"fix {'them' if count > 1 else 'it'} first.",
                "error",
            )
        )
    else:
        lines.append(Line(plan.summary(), "heading"))
        if plan.theme_changed and not (changes or plan.role_order or plan.channel_positions):
            lines.append(
                Line(
                    "Applying records the theme in state without changing the Discord server.",
                    "note",
                )
            )
    return lines


def render_text(plan: Plan, *, detailed: bool = False) -> str:
    """The plan as plain text."""
    return "\n".join(line.text for line in render_plan(plan, detailed=detailed))


def plan_json(plan: Plan) -> dict[str, Any]:
    """The machine-readable plan of ``--json`` (the guild snapshot left out)."""
    add, change, destroy = plan.counts()
    data = plan.model_dump(mode="json", exclude={"guild"})
    for item in data["changes"]:  # not `change`: that name holds the count above
        if item.get("server"):
            item["server"].pop("icon_data", None)  # megabytes of base64 help no reader
    from gaib_core.engine.effects import permission_effects

    data["permission_effects"] = permission_effects(plan).model_dump(mode="json")
    data["summary"] = {
        "add": add,
        "change": change,
        "destroy": destroy,
        "has_changes": plan.has_changes,
    }
    return data
