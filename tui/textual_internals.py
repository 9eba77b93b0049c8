"""Every use of Textual's private API, in one place (Textual 8.2.8 is pinned; re-check these on an upgrade).

Private names used, and why:

- `Tree._add_node`: the one place a Tree creates its nodes; overridden so that the tree's nodes are
  `_HookedNode`s, which tell the tree before they expand or collapse (the lazy ledger tree builds a
  group's task leaves only when the group first expands, however it expands: keys, mouse or code).
- `Tree._new_id`, `Tree._tree_nodes`, `Tree._updates`: what `Tree._add_node` does with a new node
  (its id, the id-to-node map, the change counter that invalidates the laid-out lines), repeated in
  the override as Textual 8.2.8 writes it.
- `TreeNode._expand`, `TreeNode._collapse`: what every way of expanding or collapsing a node runs
  (`expand`, `expand_all`, `toggle`, the tree's keys and clicks); the hook is called from there.
- `Tree._tree_lines`: the property that lays out the tree's lines when they are stale. Reading it lays
  out nodes added or expanded this turn, so that their line numbers are known at once (moving the
  cursor onto a node just built); Textual otherwise does it on the next idle.
- `ScrollView._size_updated` (overridden in `OwnVirtualSize`): the compositor hands a scroll view its region's
  size as the virtual size; the tree and the detail pane keep their own, so the stock method saw a change on
  every layout pass and repainted the scrollbar column (36 rows, some 1.6 KB, per key; BYTES.md F3). Its
  scrollbars are updated instead when its own virtual size changes (`Widget._scroll_update`).
- `Tree._refresh_node` (overridden in `HookedTree`): refreshes every visible line whose path holds the node,
  for the guide lines' highlight; these trees draw no guides, so a node's refresh is its own line
  (`Tree._refresh_line`, as `TreeNode.refresh` does; F5). `Tree._refresh_line` (overridden too) repaints the
  line across the widget's width, its scrollbar's cell included; it now stops where the scrollbar begins.
- `Widget._on_focus`, `Widget._on_blur` (overridden in `QuietFocus`, with the public `watch_has_focus`): besides
  setting `has_focus` and telling the parent, they repaint the whole widget, and the watcher restyles it; a
  widget styled the same focused or not (the ledger tree) needs neither, and the tree's whole repaint with its
  scrollbar was 7-8 KB of every note saved over SSH (issue 16).
- `Screen._on_screen_resume`, `Screen._on_update`, `Screen._on_layout` (overridden in `DrawnOnceOnResume`, which
  calls each), `Screen._size`, `Screen._repaint_required`, `Widget._repaint_required`, `Screen._compositor`,
  `Compositor.visible_widgets`, `App._batch_count`, `textual._time` (its `get_time`, the clock `Message.time` is read
  from): the first time a screen is shown, Textual lays it out and draws it whole, asks for the whole screen again,
  and then handles the repaints and layouts its widgets asked for while they were mounted, which that frame
  already drew. The first frame was written three times (64 KB over SSH, where once is 14 KB), the last two at
  Textual's next updates;
  those requests, and the repaints still pending for the widgets the frame drew, are dropped.
- `Compositor._get_renders` (rewritten in `_renders_not_covered`): a widget wholly behind others (the screen and
  the panes behind their children) was rendered line by line and thrown away, half the lines of every frame.
- `textual._compositor` (the module), `Compositor._render_chops`, `Compositor.render_partial_update`, `ChopsUpdate.chop_ends`, `Compositor.cuts`,
  `Compositor._get_renders` (`keep_wide_characters_whole`): the compositor divides every line at the edges of
  every widget, also of widgets under an overlay (the note editor over both panes, a toast), and a Chinese
  character that straddles such an edge becomes two spaces (textual#6357, open). A line is no longer divided
  where its own widget is in front on both sides.
- `App.on_event` (an undocumented method, overridden): where the app receives each event before
  sending it on. Keys are held there until the previous key has been handled (tui/key_order.py).
- `App._driver`: the running driver; Textual has no public accessor.
- `LinuxDriver._must_signal_resume`: set by the driver's SIGTSTP handler, cleared when it resumes. It is
  the only record that a SIGCONT follows a suspension (Ctrl+Z, `kill -TSTP`) rather than a hangup.
- `LinuxDriver._sigcont_application` (reached through `signal.getsignal(SIGCONT)`, not by name): it
  resumes application mode on every SIGCONT, suspended or not.
- `LinuxDriver._writer_thread` and `WriterThread._queue`: the 30-slot queue the event loop writes every
  frame into, drained by the `textual-output` thread.
- `App._notifications`, `ToastRack._toast_id` and the private module `textual.widgets._toast` (for
  `ToastRack` and `ToastHolder`): the toasts on screen, to remove the holders Textual leaves behind (see
  `release_old_toasts`).
- `StylesCache.get_inner_outer`, from the private module `textual._styles_cache`: an `lru_cache` whose
  keys hold removed widgets' render caches (textual#6665; see `release_old_toasts`).

Why the driver is touched: when a terminal goes away (an SSH connection drops, `tmux kill-session`), the
kernel sends SIGHUP and SIGCONT. The output thread dies on its first write to the hung-up terminal (EIO),
and a SIGCONT makes the driver start application mode again over the dead terminal, racing the shutdown.
Either way the event loop ends up in `Queue.put` on a queue nothing drains: in `App._display`
(mid-redraw) or in `App._shutdown` -> `LinuxDriver.disable_input` -> `_disable_mouse_support`. The
process then stays, with no terminal, for ever. The same wedge is reported upstream for
`App.suspend()` (https://github.com/Textualize/textual/issues/6692). Textual's files are not patched:
`DriverGuard` replaces attributes of the one running driver.
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Callable, Iterator, Mapping, Sequence
from queue import Queue
from types import FrameType
from typing import Any, Generic, Self, cast

from rich.text import Text
from textual import events, messages
from textual._compositor import ChopsUpdate, Compositor
from textual._time import get_time
from textual.app import App
from textual.geometry import Region, Size
from textual.screen import Screen, ScreenResultType
from textual.scroll_view import ScrollView
from textual.strip import Strip
from textual.widget import Widget
from textual.widgets import Tree
from textual.widgets.tree import TreeDataType, TreeNode

__all__ = [
    "DrawnOnceOnResume",
    "DriverGuard",
    "HookedTree",
    "KeyHoldingApp",
    "OwnVirtualSize",
    "QuietFocus",
    "keep_wide_characters_whole",
    "lay_out_lines",
    "release_old_toasts",
]


def lay_out_lines(tree: Tree[TreeDataType]) -> None:
    """Lay out the tree's lines now, so that nodes added or expanded this turn have their line numbers."""
    tree._tree_lines  # noqa: B018 - the property builds the lines when they are stale


class OwnVirtualSize(ScrollView):
    """A scroll view that sets its own virtual size (its lines): a layout pass that leaves its size alone does
    not repaint its scrollbar. A mixin: list it after the widget class (`class T(Tree, OwnVirtualSize)`), as
    Textual takes a widget's CSS from its first base."""

    def _size_updated(self, size: Size, virtual_size: Size, container_size: Size, layout: bool = True) -> bool:
        # ScrollView._size_updated (textual 8.2.8, pinned) compares the compositor's virtual size (this widget's
        # region) with its own, which always differ for a view taller than its region.
        changed = self._size != size
        resized = super()._size_updated(size, self.virtual_size, container_size, layout)
        if changed:
            self.laid_out()
            # Its scrollbar's thumb for the new size, in the frame about to be drawn (not repainted in the next).
            self._scroll_update(self.virtual_size)
        return resized

    def laid_out(self) -> None:
        """The layout gave this view a new size, and the frame about to be drawn shows it: a subclass whose lines
        depend on its width lays them out now (by its Resize, they were drawn in the next frame, every line twice)."""

    def watch_virtual_size(self, virtual_size: Size) -> None:
        # The stock view updated its scrollbars from that always-unequal comparison: now when its lines change.
        self._scroll_update(virtual_size)


class QuietFocus(Widget):
    """A widget that looks the same focused or not (its CSS must say so): gaining or losing the focus neither
    restyles nor repaints it. A mixin: list it after the widget class (`class T(Tree, QuietFocus)`)."""

    def watch_has_focus(self, _has_focus: bool) -> None:
        # Widget.watch_has_focus restyles the widget; Textual sees a change in rules that compare unequal though
        # the same (`link_style` as text and as a Style), and sets every rule again: setting the scrollbar's
        # colours repaints the scrollbar column, and a Tree repaints every line on any restyle.
        return

    def _on_focus(self, event: events.Focus) -> None:
        # Widget._on_focus (textual 8.2.8, pinned) without its `self.refresh()`: the tree repainted every line
        # when the focus came back from the note editor (6 KB of a 14 KB note over SSH, issue 16).
        event.prevent_default()  # Widget._on_focus is not run after this
        self.has_focus = True
        if self.parent is not None:
            self.parent.post_message(events.DescendantFocus(self))

    def _on_blur(self, event: events.Blur) -> None:
        event.prevent_default()
        self.has_focus = False
        if self.parent is not None:
            self.parent.post_message(events.DescendantBlur(self))


class DrawnOnceOnResume(Screen[ScreenResultType]):
    """A screen whose first frame is written once.

    `Screen._on_screen_resume` lays the screen out when its size changed (the first time it is shown), which draws
    every widget, and then asks for the whole screen to be drawn again. The repaints and layouts its widgets asked
    for while they were mounted arrive after that frame, and drew most of it once more: the first frame went out
    three times (64 KB over SSH, where once is 14 KB), the last two at Textual's next updates."""

    _drawing = False  # the resume is laying the screen out, which draws it whole
    _drawn_at: float | None = None  # when that began (asked for before: done by that frame)

    def _on_screen_resume(self, event: events.ScreenResume) -> None:
        # While the app holds its updates the layout's frame is thrown away, and the whole refresh is what draws it.
        drawing = self.is_attached and self._size != self.app.size and not self.app._batch_count
        started = get_time()
        self._drawing = drawing
        try:
            super()._on_screen_resume(event)
        finally:
            self._drawing = False
        event.prevent_default()  # or Textual runs Screen._on_screen_resume again, as the next class's handler
        self._drawn_at = started if drawing else None
        if drawing:
            self._repaint_required = False
            for widget in self._compositor.visible_widgets:  # the frame drew them all, scrollbars included
                widget._repaint_required = False

    def on_resize(self, event: events.Resize) -> None:
        # The app sends the screen its size twice as it starts: Screen._on_resize laid the screen out and drew it
        # whole each time, though nothing had moved.
        if event.size == self.outer_size:
            event.prevent_default()

    def refresh(self, *regions: Region, repaint: bool = True, layout: bool = False, recompose: bool = False) -> Self:
        if self._drawing and not (regions or layout or recompose):
            return self  # the resume's layout draws the whole screen
        return super().refresh(*regions, repaint=repaint, layout=layout, recompose=recompose)

    async def _on_update(self, message: messages.Update) -> None:
        if self._stale(message):
            return
        await super()._on_update(message)

    async def _on_layout(self, message: messages.Layout) -> None:
        if self._stale(message):
            return
        await super()._on_layout(message)

    def _stale(self, message: messages.Update | messages.Layout) -> bool:
        """Asked for before the whole screen was laid out and drawn (it is then done, and dropped)."""
        if self._drawn_at is None or message.time >= self._drawn_at:
            return False
        message.stop()
        message.prevent_default()
        return True


class _HookedNode(TreeNode[TreeDataType], Generic[TreeDataType]):
    """A node that tells its tree before it expands or collapses, whichever way (keys, mouse, code)."""

    def _expand(self, expand_all: bool) -> None:
        tree = self.tree
        if isinstance(tree, HookedTree):
            tree.node_expanding(self)
        super()._expand(expand_all)

    def _collapse(self, collapse_all: bool) -> None:
        tree = self.tree
        if isinstance(tree, HookedTree):
            tree.node_collapsing(self)
        super()._collapse(collapse_all)


class HookedTree(Tree[TreeDataType]):
    """A Tree whose subclasses hear of every node about to expand or collapse (`node_expanding`,
    `node_collapsing`), before Textual marks it and posts NodeExpanded or NodeCollapsed."""

    def node_expanding(self, node: TreeNode[TreeDataType]) -> None:
        """`node` is about to expand (a subclass may add its children now)."""

    def node_collapsing(self, node: TreeNode[TreeDataType]) -> None:
        """`node` is about to collapse."""

    def _refresh_node(self, node: TreeNode[TreeDataType]) -> None:
        # Tree._refresh_node repaints the node's whole visible subtree for the guide lines; there are none here.
        self._refresh_line(node.line)

    def _refresh_line(self, line: int) -> None:
        # Tree._refresh_line spans the widget's whole width: the scrollbar's cell beside the line was written again
        # with it (34 B a line over SSH, two lines a cursor move).
        self.refresh(Region(0, line - self.scroll_offset.y, self.scrollable_content_region.width, 1))

    def _add_node(
        self,
        parent: TreeNode[TreeDataType] | None,
        label: Text,
        data: TreeDataType | None,
        expand: bool = False,
    ) -> TreeNode[TreeDataType]:
        # Tree._add_node (textual 8.2.8, pinned), with the node class that calls the hooks above.
        node: TreeNode[TreeDataType] = _HookedNode(self, parent, self._new_id(), label, data, expanded=expand)
        self._tree_nodes[node.id] = node
        self._updates += 1
        return node


class KeyHoldingApp(App[object]):
    """An App whose subclass decides, as each key arrives, whether to send it on now (`hold_key`)
    or later (`send_key`)."""

    async def hold_key(self, key: events.Key) -> bool:
        """A key arrived from the terminal: True if the subclass holds it (and sends it later)."""
        return False

    async def send_key(self, key: events.Key) -> None:
        """Send on a key this app held, as Textual would have when it arrived."""
        await super().on_event(key)

    async def on_event(self, event: events.Event) -> None:
        if isinstance(event, events.Key) and not event.is_forwarded and await self.hold_key(event):
            return
        await super().on_event(event)


def _renders_not_covered(
    self: Compositor,
    crop: Region,
    chops: Sequence[Mapping[int, Strip | None]],
    is_rendered_line: Callable[[int], bool],
) -> Iterator[tuple[Region, list[Strip]]]:
    """`Compositor._get_renders` as Textual 8.2.8 writes it, front to back, except that a widget is not rendered
    when the widgets in front of it already cover every piece of it that this update writes. A container hidden
    behind its children (the screen, the panes) was rendered line by line all the same, then thrown away: half
    the lines of the first frame. Yields the part of the screen each widget shows, and its lines there."""
    cuts = self.cuts
    for widget, (region, clip) in self.visible_widgets.items():
        if crop and not crop.overlaps(clip):
            continue
        render_region = region.intersection(clip)
        if not render_region.area:
            continue
        first_cut, last_cut = render_region.column_span
        if all(
            chops[y].get(cut) is not None
            for y in render_region.line_range
            if is_rendered_line(y)
            for cut in cuts[y]
            if last_cut > cut >= first_cut
        ):
            continue
        x, y, width, height = render_region
        yield render_region, widget.render_lines(Region(x - region.x, y - region.y, width, height))


def _render_chops_keeping_wide_characters(
    self: Compositor, crop: Region, is_rendered_line: Callable[[int], bool]
) -> Sequence[Mapping[int, Strip]]:
    """`Compositor._render_chops` as Textual 8.2.8 writes it, except that:

    - a widget's line is not divided at a cut where that widget is in front on both sides: the cut comes from a
      widget underneath (a pane's edge under the note editor or a toast), and dividing there turns a Chinese
      character that straddles it into two spaces (textual#6357). The bucket at such a cut gets an empty strip,
      so nothing underneath claims it;
    - a widget wholly covered by those in front is not rendered (`_renders_not_covered`)."""
    cuts = self.cuts
    chops: list[dict[int, Strip | None]] = [dict.fromkeys(cut_set[:-1]) for cut_set in cuts]
    for render_region, strips in _renders_not_covered(self, crop, chops, is_rendered_line):
        render_x = render_region.x
        first_cut, last_cut = render_region.column_span
        for y, strip in zip(render_region.line_range, strips, strict=False):
            if not is_rendered_line(y):
                continue
            chops_line = chops[y]
            final_cuts = [cut for cut in cuts[y] if last_cut >= cut >= first_cut]
            if len(final_cuts) < 2:
                continue
            kept = final_cuts[:1]
            covered: list[int] = []
            for cut in final_cuts[1:-1]:
                if chops_line.get(cut) is None and chops_line.get(kept[-1]) is None:
                    covered.append(cut)  # this line wins both sides: one piece across it
                else:
                    kept.append(cut)
            pieces = strip.divide([cut - render_x for cut in [*kept[1:], *final_cuts[-1:]]])
            # Front to back: the first piece for a cut wins.
            for cut, piece in zip(kept, pieces, strict=False):
                if chops_line.get(cut) is None:
                    chops_line[cut] = piece
            for cut in covered:
                chops_line[cut] = _NOTHING
    return cast("Sequence[Mapping[int, Strip]]", chops)


_NOTHING = Strip([], 0)


_stock_render_partial_update = Compositor.render_partial_update


def _render_partial_update_to_piece_ends(self: Compositor) -> ChopsUpdate | None:
    """`Compositor.render_partial_update`, with each piece's end where the piece ends: a piece laid across a
    covered cut would otherwise be cropped at that cut when only part of its line is repainted."""
    update = _stock_render_partial_update(self)
    if update is not None:
        for y in {y for y, _x1, _x2 in update.spans}:  # the lines this update writes, not the whole screen
            update.chop_ends[y] = [
                end if piece is None else max(end, x + piece.cell_length)
                for end, (x, piece) in zip(update.chop_ends[y], update.chops[y].items(), strict=False)
            ]
    return update


def keep_wide_characters_whole() -> None:
    """Draw overlapping widgets without cutting their Chinese characters in two (textual#6357): every screen's
    compositor renders through the two functions above. Called once, before the app runs."""
    Compositor._render_chops = _render_chops_keeping_wide_characters  # type: ignore[method-assign]
    Compositor.render_partial_update = _render_partial_update_to_piece_ends  # type: ignore[method-assign]


def _discard(*_args: object) -> None:
    return None


def _drain(queue: Queue[Any]) -> None:
    """Take (and throw away) whatever is written, so that no `Queue.put` waits for a dead output thread."""
    while True:
        queue.get()


class DriverGuard:
    """Keeps the running app's driver from wedging the process once its terminal is gone."""

    def __init__(self, app: App[Any]) -> None:
        self.app = app
        self._terminal_gone = threading.Event()

    def resume_only_after_suspend(self) -> None:
        """Let SIGCONT resume application mode only after a SIGTSTP suspended it, and never once the
        terminal is gone: the SIGCONT a hangup brings would otherwise start a second output thread
        over the dead terminal while the app shuts down. Call once the driver runs (from on_mount)."""
        driver = self.app._driver
        textual_handler = signal.getsignal(signal.SIGCONT)
        if driver is None or not callable(textual_handler):
            return  # headless (tests) or not the Linux driver: nothing resumes on SIGCONT

        def on_sigcont(signum: int, frame: FrameType | None) -> None:
            if getattr(driver, "_must_signal_resume", False) and not self._terminal_gone.is_set():
                textual_handler(signum, frame)

        signal.signal(signal.SIGCONT, on_sigcont)

    def terminal_gone(self) -> None:
        """The terminal hung up: throw away everything the app still draws, and unblock a write already
        waiting for room in the output queue, so the app's own shutdown can run to its end.

        Thread-safe (called from the exit watcher thread, never from a signal handler): it only replaces
        attributes of the driver and starts a thread. The terminal is not restored (nothing is there).
        """
        self._terminal_gone.set()
        driver = self.app._driver
        if driver is None:
            return
        # Instance attributes shadow the driver's methods: every later write, flush and close is a no-op
        # (close would join an output thread that may never see its stop sentinel).
        driver.write = _discard  # type: ignore[method-assign, assignment]
        driver.flush = _discard  # type: ignore[method-assign]
        driver.close = _discard  # type: ignore[method-assign]
        queue = getattr(getattr(driver, "_writer_thread", None), "_queue", None)
        if isinstance(queue, Queue):
            threading.Thread(target=_drain, args=(queue,), name="taizhang-discard-output", daemon=True).start()


def release_old_toasts(app: App[Any]) -> None:
    """Let go of the toasts that have gone: a session that shows colleagues' changes as toasts all day
    otherwise grows by about 20 KB per change. Call from the event loop whenever a notification is posted.

    Two things in Textual 8.2.8 keep them:
    - `StylesCache.get_inner_outer` is an `lru_cache` on a method, so each of its 1,024 keys holds the
      `StylesCache` of a widget that rendered, with every line that widget drew. Each toast is two
      widgets; long after they are removed, the cache keeps them. Clearing it costs a few colour sums
      on the next frame.
    - Every toast sits in a `ToastHolder` in the screen's `ToastRack`. A toast's own timer removes its
      holder, but it starts when the toast is mounted, a little after its notification began to age;
      when another notification arrives in between, `ToastRack.show` removes the already expired toast
      alone, and its empty holder stays in the rack for ever. Such a holder is removed here only when it
      is empty and its notification has expired, so a holder still being mounted is never touched.
    """
    from textual._styles_cache import StylesCache
    from textual.widgets._toast import ToastHolder, ToastRack  # private module: no public name for these

    StylesCache.get_inner_outer.cache_clear()
    current = {ToastRack._toast_id(notification) for notification in app._notifications}  # iterating drops expired
    for screen in app.screen_stack:
        for rack in screen.query_children(ToastRack):
            for holder in rack.query_children(ToastHolder):
                if not holder.children and holder.id not in current:
                    holder.remove()
