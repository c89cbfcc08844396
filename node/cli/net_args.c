/*
 * net_args — the options of the tier network's commands (net_args.h).
 */
#include "net_args.h"

#include "args.h"
#include "ctl.h"
#include "msg.h"

static int add_target(struct net_args *a, const char *node)
{
    if (args_check_text("--to", node))
        return EXIT_USAGE;
    if (!a->to && !(a->to = json_array()))
        return msg_oom();
    return json_array_append_new(a->to, json_string(node)) ? msg_oom() : 0;
}

/* An option into the net_args at arg. */
static int take_net_option(void *arg, int c, char **argv)
{
    struct net_args *a = arg;
    switch (c) {
    case 'o': return args_set_once(&a->out, "out", optarg);
    case 'e': return args_set_text_once(&a->endpoint, "endpoint", optarg);
    case 'r': return args_set_text_once(&a->reason, "reason", optarg);
    case 'n': return args_set_text_once(&a->note, "note", optarg);
    case 'k': return args_set_text_once(&a->kind, "kind", optarg);
    case 't': return args_set_text_once(&a->title, "title", optarg);
    case 'b': return args_set_text_once(&a->body, "body", optarg);
    case 'c': return args_set_text_once(&a->case_id, "case", optarg);
    case 'A': return args_set_text_once(&a->actor, "actor", optarg);
    case 'T': return add_target(a, optarg);
    case 's': a->subtree = 1; return 0;
    case 'a': a->all = 1; return 0;
    case 'S': a->successor = 1; return 0;
    case 'K': return args_set_once(&a->key, "key", optarg);
    case 'P': return args_set_once(&a->approval, "approval", optarg);
    default: return args_bad_option(c, argv);
    }
}

int net_args_parse(int argc, char **argv, const char *name, const struct option *opts,
                   const char *pos, struct net_args *a)
{
    return args_parse(argc, argv, name, opts, pos, &a->pos, take_net_option, a);
}
