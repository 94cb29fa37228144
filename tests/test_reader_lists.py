"""List expansion (qa.reader.lists): the items after a sentence that announces a list, up to the
number asked or announced; the siblings of a bullet line."""

from ingest.records import Page
from qa.reader import lists

PAGE = Page(3, "3", """【広報】
・令和2年度の広報戦略を立案。重点的に注力する 3 分野に対して広報活動を実施。
- コンテンツ充実
- チャネル拡大
- 内部広報拡大
- これは四つ目の行で、数えない
○次の話題
相談窓口連絡会に下記の団体が新たに参加：
① 第一協会
② 第二協会
本文に戻る。""")


def test_announcement():
    assert lists.announces("重点的に注力する 3 分野に対して広報活動を実施。")
    assert lists.announced_count("重点的に注力する 3 分野に対して") == 3
    assert lists.announced_count("五つの課題") == 5 and lists.announced_count("課題") == 0
    assert not lists.announces("広報活動を実施した。")
    # Only a list question reads a count as a list: 「373 社に提供」 counts companies.
    assert lists.announces("結果を 412 社に送付。") and not lists.announces("結果を 412 社に送付。", explicit=True)
    assert lists.announces("相談窓口連絡会に下記の団体が新たに参加：", explicit=True)


def test_items_after_stop_at_the_announced_count():
    items = lists.items_after("重点的に注力する 3 分野に対して広報活動を実施。", PAGE)
    assert items == ["- コンテンツ充実", "- チャネル拡大", "- 内部広報拡大"]


def test_the_count_asked_wins_and_lists_end_at_another_marker():
    assert lists.items_after("重点的に注力する 3 分野に対して広報活動を実施。", PAGE, wanted=2) == [
        "- コンテンツ充実", "- チャネル拡大"]
    assert lists.items_after("相談窓口連絡会に下記の団体が新たに参加：", PAGE) == ["① 第一協会", "② 第二協会"]


def test_siblings_of_a_bullet_line():
    assert lists.siblings("- チャネル拡大", PAGE, wanted=3) == ["- コンテンツ充実", "- チャネル拡大", "- 内部広報拡大"]
    assert lists.siblings("本文に戻る。", PAGE) == []


def test_no_list_after_a_plain_sentence():
    assert lists.items_after("○次の話題", PAGE) == []


def test_typeset_bullets_and_a_list_announced_by_ni_shimesu():
    page = Page(7, "7", """設定ファイルは次に示す順番で読み込まれます。
1. システム全体の設定を読む
2. 利用者の設定を読む
いくつかの部署には専用の窓口があります:
• 総務の窓口
• 経理の窓口
本文に戻る。""")
    assert lists.announces("設定ファイルは次に示す順番で読み込まれます。")
    assert lists.items_after("設定ファイルは次に示す順番で読み込まれます。", page) == [
        "1. システム全体の設定を読む", "2. 利用者の設定を読む"]
    assert lists.items_after("いくつかの部署には専用の窓口があります:", page) == ["• 総務の窓口", "• 経理の窓口"]


def test_the_command_a_sentence_announces_is_quoted_after_it():
    page = Page(9, "9", """書き込みます。
# burn --eject image.iso
もし書き換え型の媒体が使われている場合には、次を代わりに実行して下さい。
# burn --eject --blank=fast image.iso
別の話題に移る。""")
    # The sentence runs over the command line above it; it is found by the line that ends it.
    sentence = "# burn --eject image.iso もし書き換え型の媒体が使われている場合には、次を代わりに実行して下さい。"
    assert lists.announces(sentence, explicit=True)
    assert lists.items_after(sentence, page) == []
    assert lists.commands_after(sentence, page) == ["# burn --eject --blank=fast image.iso"]
    assert lists.commands_after("書き込みます。", page) == ["# burn --eject image.iso"]
    assert lists.commands_after("別の話題に移る。", page) == []


def test_an_item_wrapped_onto_a_line_without_its_mark_stays_one_item():
    page = Page(4, "4", "重点的に注力する 3 分野に対して実施。\n- 基盤の構築\n- ニーズに応えた整備\n（コンテンツ充実）\n"
                        "- 窓口の拡大\n本文に戻る。\n（注）")
    assert lists.items_after("重点的に注力する 3 分野に対して実施。", page) == [
        "- 基盤の構築", "- ニーズに応えた整備\n（コンテンツ充実）", "- 窓口の拡大"]
    # After the last item, a line without a mark ends the list: it is no item's end.
    assert lists.items_after("重点的に注力する 3 分野に対して実施。", page, wanted=5)[-1] == "- 窓口の拡大"


def test_the_line_a_sentence_points_at_on_its_page_or_the_next():
    page = Page(28, "28", "pTEX とは異なり，\\wd の値は組方向に依存しない．\n"
                          "現在の組方向での寸法を得るには，代わりに次の命令を使用する．\n")
    after = Page(29, "29", "\\ltjgetwd⟨num⟩, \\ltjgetht⟨num⟩\n現在の組方向に応じた寸法を返す．\n")
    line, where = lists.line_after("現在の組方向での寸法を得るには，代わりに次の命令を使用する．", page, after)
    assert (line, where.number) == ("\\ltjgetwd⟨num⟩, \\ltjgetht⟨num⟩", 29)
    same = Page(5, "5", "満足度平均：\n4.6（5 段階評価）\n")
    assert lists.line_after("満足度平均：", same)[0] == "4.6（5 段階評価）"


def test_no_line_when_the_sentence_points_at_nothing_or_at_a_paragraph():
    page = Page(6, "6", "次の命令を使用する．この命令は組方向に依存しない．\n\\ltjgetwd\n"
                        "設定は以下のとおり。\n" + "あ" * 130 + "\n")
    assert lists.line_after("次の命令を使用する．", page) is None  # the paragraph goes on
    assert lists.line_after("設定は以下のとおり。", page) is None  # a paragraph follows, no item
    assert lists.line_after("この命令は組方向に依存しない．", page) is None  # points at nothing


def test_numbered_items_keep_the_bullets_under_them():
    page = Page(45, "45", """政府からの依頼に応じて、以下の 3 分野（5 プロジェクト）で取組を開始。
1）規制の高度化が求められる分野
・自律移動ロボット（ドローン）PJ
・スマート安全 PJ
2）共通の IT システムを開発すべき分野
・ベースレジストリ PJ
3）システム連携が見込まれる分野
・住民起点 MaaS PJ
4）次の段落の見出し
・これは数えない
○次の話題""")
    items = lists.items_after("政府からの依頼に応じて、以下の 3 分野（5 プロジェクト）で取組を開始。", page)
    assert items[0] == "1）規制の高度化が求められる分野" and items[-1] == "・住民起点 MaaS PJ" and len(items) == 7
    flat = Page(3, "3", "次の 2 点を実施。\n- 広報\n- 研修\n・別の一覧\n")
    assert lists.items_after("次の 2 点を実施。", flat) == ["- 広報", "- 研修"]  # no outline: a new list


def test_the_command_after_the_sentence_not_after_one_that_ends_alike():
    page = Page(32, "4", "通常の運用モードでは端末から電源を安全に停止できます。\n# systemctl halt\n"
                         "保守用の運用モードでは端末から電源を安全に停止できます。\n# halt -p\n")
    quote = "# systemctl halt 保守用の運用モードでは端末から電源を安全に停止できます。"
    assert lists.commands_after(quote, page) == ["# halt -p"]


def test_an_enumeration_on_the_line_after_the_announcing_paragraph():
    page = Page(52, "51", "10.1 互換用命令\n以下の命令は互換性のために実装されている．そのため，範囲は狭い．\n"
                          "\\kuten, \\jis, \\euc, \\sjis\nこれら 4 命令は内部整数を引数とする．")
    # The quote as the reader builds it: the heading above runs into the sentence.
    assert lists.enumeration_after("10.1 互換用命令以下の命令は互換性のために実装されている．", page) == [
        "\\kuten, \\jis, \\euc, \\sjis"]
    prose = Page(5, "4", "以下の命令は互換性のために実装されている．\nこれは，長い説明の文であり，列挙ではない．")
    assert lists.enumeration_after("以下の命令は互換性のために実装されている．", prose) == []
