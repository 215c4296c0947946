"""Which OpenSpiel games have a dedicated adapter, and where it lives."""

# OpenSpiel name -> "module:Class". Order is fixed: it also orders the vocabulary's per-game words.
ADAPTERS = {
    "kuhn_poker": "games.kuhn_poker:KuhnPoker",
    "leduc_poker": "games.leduc_poker:LeducPoker",
    "liars_dice": "games.liars_dice:LiarsDice",
    "blackjack": "games.blackjack:Blackjack",
    "crazy_eights": "games.crazy_eights:CrazyEights",
    "gin_rummy": "games.gin_rummy:GinRummy",
    "hearts": "games.hearts:Hearts",
    "euchre": "games.euchre:Euchre",
    "oh_hell": "games.oh_hell:OhHell",
    "skat": "games.skat:Skat",
    "spades": "games.spades:Spades",
    "bridge": "games.bridge:Bridge",
    "go_fish": "games.go_fish:GoFish",
    "dou_dizhu": "games.dou_dizhu:DouDizhu",
}
