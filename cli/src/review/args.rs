//! The flags of `cmr review`.

use clap::{Args, Subcommand, ValueEnum};

/// `cmr review`: the prosecutors' review queue on the verification gRPC API.
#[derive(Args, Debug, Clone)]
pub struct ReviewArgs {
    #[command(flatten)]
    pub common: CommonArgs,
    #[command(subcommand)]
    pub command: ReviewCommand,
}

/// Flags every subcommand takes (before or after the subcommand's name).
#[derive(Args, Debug, Clone)]
pub struct CommonArgs {
    /// The verification service.
    #[arg(
        long,
        env = "CMR_VERIFICATION_ENDPOINT",
        default_value = "http://127.0.0.1:50053",
        global = true
    )]
    pub endpoint: String,
    /// Bearer token (it carries county, agency and role); sent as `authorization: Bearer`
    /// on every call. Prefer the environment variable to the flag.
    #[arg(long, env = "CMR_TOKEN", hide_env_values = true, global = true)]
    pub token: Option<String>,
    /// County: its name as the DOJ file writes it ("LOS ANGELES") or its two-digit code ("19").
    #[arg(long, env = "CMR_COUNTY", global = true)]
    pub county: Option<String>,
    /// Act within one agency of the county (Scope.agency_id); default: the whole county.
    #[arg(long, value_name = "AGENCY_ID", global = true)]
    pub scope_agency: Option<String>,
    /// Machine-readable output: one JSON object, or one per line for lists.
    #[arg(long, global = true)]
    pub json: bool,
    /// Idempotency key of a changing call; repeat a command with the same key to retry it
    /// safely. Default: a new key for each invocation.
    #[arg(long, value_name = "KEY", global = true)]
    pub idempotency_key: Option<String>,
}

#[derive(Subcommand, Debug, Clone)]
pub enum ReviewCommand {
    /// The review queue, filtered; every page up to --limit.
    List(ListArgs),
    /// One item: the determination, the person, every decision (superseded ones too),
    /// routing history and comments.
    Show {
        /// Review item id.
        item: String,
    },
    /// Agree with the determination as proposed (not for hand-review items).
    Concur(ConcurArgs),
    /// Challenge an item: not eligible, or an unreasonable risk to public safety. A note is
    /// required.
    Challenge(ChallengeArgs),
    /// Decide a hand-review (or city-prosecutor referral) item: dismiss, reduce or not
    /// eligible. A note is required.
    Resolve(ResolveArgs),
    /// Add a comment to an item (not a decision).
    Comment {
        /// Review item id.
        item: String,
        /// The comment.
        text: String,
    },
    /// Move an item to another agency and/or reviewer, with a reason (supervisors).
    Reassign(ReassignArgs),
    /// One action over every item matching a filter, guarded by --expect.
    #[command(subcommand)]
    Bulk(BulkCommand),
    /// The county's challenge deadline: show it, set it, apply it.
    #[command(subcommand)]
    Deadline(DeadlineCommand),
    /// The AB 1793 notice lists: challenged items for the public defender, unchallenged
    /// items for the court.
    #[command(subcommand)]
    Notices(NoticesCommand),
    /// The county's agencies (DA, city prosecutors, public defender, court).
    #[command(subcommand)]
    Agencies(AgenciesCommand),
    /// The county's routing rules.
    #[command(subcommand)]
    Routing(RoutingCommand),
    /// The audit trail: list events, verify the hash chain.
    #[command(subcommand)]
    Audit(AuditCommand),
}

/// Which items: every flag given must hold.
#[derive(Args, Debug, Clone, Default, PartialEq)]
pub struct FilterArgs {
    /// Ingest batch id.
    #[arg(long)]
    pub batch: Option<String>,
    /// Eligibility run id.
    #[arg(long)]
    pub run: Option<String>,
    /// Determination outcome (repeat or comma-separate for several).
    #[arg(long, value_enum, value_delimiter = ',')]
    pub outcome: Vec<OutcomeArg>,
    /// Review status (repeat or comma-separate for several).
    #[arg(long, value_enum, value_delimiter = ',')]
    pub status: Vec<StatusArg>,
    /// Routed agency id (reviewers see their own agency's items).
    #[arg(long)]
    pub agency: Option<String>,
    /// Assigned reviewer's principal id.
    #[arg(long)]
    pub reviewer: Option<String>,
    /// Prop 64 section, e.g. 11359.
    #[arg(long)]
    pub section: Option<String>,
    #[arg(long, value_enum)]
    pub track: Option<TrackArg>,
    /// Challenge ground of challenged items.
    #[arg(long, value_enum)]
    pub challenge_ground: Option<GroundArg>,
    /// Court ORI code of the conviction.
    #[arg(long)]
    pub court_ori: Option<String>,
    /// Only this subject's items.
    #[arg(long)]
    pub subject: Option<String>,
    /// Convicted on or after this date (YYYY-MM-DD).
    #[arg(long, value_name = "YYYY-MM-DD")]
    pub convicted_from: Option<String>,
    /// Convicted on or before this date (YYYY-MM-DD).
    #[arg(long, value_name = "YYYY-MM-DD")]
    pub convicted_to: Option<String>,
}

#[derive(Args, Debug, Clone)]
pub struct ListArgs {
    #[command(flatten)]
    pub filter: FilterArgs,
    /// At most this many items (0 = all).
    #[arg(long, default_value_t = 100)]
    pub limit: usize,
    /// Items per call (0 = the server's default; at most 1000).
    #[arg(long, default_value_t = 0)]
    pub page_size: i32,
}

/// The decision an action replaces: the optimistic-concurrency guard of the API.
#[derive(Args, Debug, Clone, Default)]
pub struct Supersedes {
    /// The item's current decision, as `cmr review show` prints it, when this decision
    /// replaces one; without it the item must have no decision yet.
    #[arg(long, value_name = "DECISION_ID")]
    pub supersedes: Option<String>,
}

#[derive(Args, Debug, Clone)]
pub struct ConcurArgs {
    /// Review item id.
    pub item: String,
    /// Optional note.
    #[arg(long)]
    pub note: Option<String>,
    #[command(flatten)]
    pub supersedes: Supersedes,
}

#[derive(Args, Debug, Clone)]
pub struct ChallengeArgs {
    /// Review item id.
    pub item: String,
    #[command(flatten)]
    pub challenge: ChallengeSpec,
    #[command(flatten)]
    pub supersedes: Supersedes,
}

/// Ground and note of a challenge.
#[derive(Args, Debug, Clone, Default)]
pub struct ChallengeSpec {
    /// Statutory ground (H&S 11361.9(b)).
    #[arg(long, value_enum)]
    pub ground: Option<GroundArg>,
    /// Why (required; recorded with the decision, never disclosed in the defender's notice).
    #[arg(long)]
    pub note: Option<String>,
}

#[derive(Args, Debug, Clone)]
pub struct ResolveArgs {
    /// Review item id.
    pub item: String,
    #[command(flatten)]
    pub resolve: ResolveSpec,
    #[command(flatten)]
    pub supersedes: Supersedes,
}

/// Resolution, reduction level and note of a resolve.
#[derive(Args, Debug, Clone, Default)]
pub struct ResolveSpec {
    /// How the item is decided.
    #[arg(long = "to", value_enum)]
    pub to: Option<ResolutionArg>,
    /// With --to reduce: the level after reduction.
    #[arg(long, value_enum)]
    pub reduce_to: Option<ReduceToArg>,
    /// Why (required).
    #[arg(long)]
    pub note: Option<String>,
}

#[derive(Args, Debug, Clone)]
pub struct ReassignArgs {
    /// Review item id.
    pub item: String,
    /// New agency id (default: keep).
    #[arg(long)]
    pub to_agency: Option<String>,
    /// New reviewer's principal id (default: the agency's queue).
    #[arg(long)]
    pub to_reviewer: Option<String>,
    /// Why (required).
    #[arg(long)]
    pub reason: Option<String>,
}

/// Filter, count guard and dry run of a bulk action.
#[derive(Args, Debug, Clone)]
pub struct BulkScope {
    #[command(flatten)]
    pub filter: FilterArgs,
    /// How many items you expect the filter to match (`cmr review list` with the same
    /// filter prints the count); a different count changes nothing.
    #[arg(long, value_name = "N")]
    pub expect: i64,
    /// Report what would happen; change nothing.
    #[arg(long)]
    pub dry_run: bool,
}

#[derive(Subcommand, Debug, Clone)]
pub enum BulkCommand {
    /// Concur with every matching item.
    Concur {
        #[command(flatten)]
        scope: BulkScope,
        /// Optional note, recorded on every decision.
        #[arg(long)]
        note: Option<String>,
    },
    /// Challenge every matching item (ground and note required).
    Challenge {
        #[command(flatten)]
        scope: BulkScope,
        #[command(flatten)]
        challenge: ChallengeSpec,
    },
    /// Resolve every matching hand-review item (resolution and note required).
    Resolve {
        #[command(flatten)]
        scope: BulkScope,
        #[command(flatten)]
        resolve: ResolveSpec,
    },
}

#[derive(Subcommand, Debug, Clone)]
pub enum DeadlineCommand {
    /// The county's challenge deadline, whether it was applied, and the undecided items.
    Get,
    /// Set the county's challenge deadline (supervisors).
    Set {
        /// Last day to challenge.
        #[arg(value_name = "YYYY-MM-DD")]
        date: String,
        /// Why the deadline changes (required; audited).
        #[arg(long)]
        reason: Option<String>,
    },
    /// After the deadline: every undecided item without a challenge is deemed concurred
    /// (supervisors).
    Apply {
        /// The date taken as today (default: the server's Pacific date).
        #[arg(long, value_name = "YYYY-MM-DD")]
        as_of: Option<String>,
        /// Count only; change nothing.
        #[arg(long)]
        dry_run: bool,
    },
}

#[derive(Subcommand, Debug, Clone)]
pub enum NoticesCommand {
    /// Every challenged item (the public defender's notice; notes are not disclosed).
    Defender {
        /// Prosecuting agency id; default: every agency in scope.
        #[arg(long)]
        agency: Option<String>,
        /// Challenges decided on or after this date.
        #[arg(long, value_name = "YYYY-MM-DD")]
        decided_from: Option<String>,
        /// Challenges decided on or before this date.
        #[arg(long, value_name = "YYYY-MM-DD")]
        decided_to: Option<String>,
        /// At most this many entries (0 = all).
        #[arg(long, default_value_t = 0)]
        limit: usize,
    },
    /// Every unchallenged item with the relief the court must grant (the court's notice).
    Court {
        /// Court ORI code; default: every court of the county.
        #[arg(long)]
        court_ori: Option<String>,
        /// Prosecuting agency id.
        #[arg(long)]
        agency: Option<String>,
        /// After the deadline, list pending items too (as would-be deemed concurred).
        #[arg(long)]
        include_pending: bool,
        /// At most this many entries (0 = all).
        #[arg(long, default_value_t = 0)]
        limit: usize,
    },
}

#[derive(Subcommand, Debug, Clone)]
pub enum AgenciesCommand {
    /// The county's agencies.
    List {
        /// Only this kind.
        #[arg(long, value_enum)]
        kind: Option<AgencyKindArg>,
        /// Inactive agencies too.
        #[arg(long)]
        include_inactive: bool,
    },
    /// Create or replace an agency (supervisors).
    Put {
        /// Stable agency id, e.g. "la-city-attorney".
        agency_id: String,
        #[arg(long, value_enum)]
        kind: AgencyKindArg,
        /// Display name, e.g. "Los Angeles City Attorney".
        #[arg(long)]
        name: String,
        /// NCIC ORI codes (repeat or comma-separate).
        #[arg(long, value_delimiter = ',')]
        ori: Vec<String>,
        /// The county's default prosecuting agency (when no rule matches).
        #[arg(long)]
        county_default: bool,
        /// Get no new items.
        #[arg(long)]
        inactive: bool,
    },
}

#[derive(Subcommand, Debug, Clone)]
pub enum RoutingCommand {
    /// The county's routing rules in evaluation order.
    List {
        /// Disabled rules too.
        #[arg(long)]
        include_disabled: bool,
    },
    /// Create or replace a routing rule (supervisors).
    Put(RulePutArgs),
}

#[derive(Args, Debug, Clone)]
pub struct RulePutArgs {
    /// Stable rule id, [a-z0-9_-]{1,64}.
    pub rule_id: String,
    /// Target agency id (a DA or a city prosecutor).
    #[arg(long)]
    pub agency: String,
    /// Rules are tried by ascending priority.
    #[arg(long, default_value_t = 100)]
    pub priority: i32,
    #[arg(long, default_value = "")]
    pub description: String,
    /// Match: conviction severity (repeat or comma-separate).
    #[arg(long, value_enum, value_delimiter = ',')]
    pub severity: Vec<SeverityArg>,
    /// Match: arresting agency ORI codes or prefixes ending in "*".
    #[arg(long, value_delimiter = ',')]
    pub arrest_ori: Vec<String>,
    /// Match: court ORI codes or prefixes ending in "*".
    #[arg(long, value_delimiter = ',')]
    pub court_ori: Vec<String>,
    /// Match: Prop 64 sections.
    #[arg(long, value_delimiter = ',')]
    pub section: Vec<String>,
    /// Match: determination outcomes.
    #[arg(long, value_enum, value_delimiter = ',')]
    pub outcome: Vec<OutcomeArg>,
    /// Keep the rule but do not evaluate it.
    #[arg(long)]
    pub disabled: bool,
    /// Re-route undecided items whose route changes.
    #[arg(long)]
    pub reroute_pending: bool,
}

#[derive(Subcommand, Debug, Clone)]
pub enum AuditCommand {
    /// Audit events in sequence order.
    List {
        /// Only events touching this id.
        #[arg(long)]
        target: Option<String>,
        /// Only this principal's events.
        #[arg(long)]
        principal: Option<String>,
        /// Start at this sequence number.
        #[arg(long, default_value_t = 0)]
        from_sequence: u64,
        /// At most this many events (0 = all).
        #[arg(long, default_value_t = 100)]
        limit: usize,
    },
    /// Recompute the hash chain; report the first broken link.
    Verify {
        #[arg(long, default_value_t = 0)]
        from_sequence: u64,
        #[arg(long, default_value_t = 0)]
        to_sequence: u64,
    },
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum OutcomeArg {
    Dismiss,
    Reduce,
    NotEligible,
    HandReview,
    CityProsecutor,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum StatusArg {
    Pending,
    Concurred,
    Challenged,
    Resolved,
    DeemedConcurred,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum GroundArg {
    NotEligible,
    PublicSafety,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum ResolutionArg {
    Dismiss,
    Reduce,
    NotEligible,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum ReduceToArg {
    Misdemeanor,
    Infraction,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum SeverityArg {
    Felony,
    Misdemeanor,
    Infraction,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum TrackArg {
    Application,
    Petition,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum AgencyKindArg {
    DistrictAttorney,
    CityProsecutor,
    PublicDefender,
    SuperiorCourt,
}
