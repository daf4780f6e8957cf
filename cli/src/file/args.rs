//! The flags of `cmr file`.

use std::path::PathBuf;

use clap::{ArgGroup, Args, Subcommand, ValueEnum};

/// `cmr file`: court paperwork and outcomes on the filing gRPC API.
#[derive(Args, Debug, Clone)]
pub struct FileArgs {
    #[command(flatten)]
    pub common: CommonArgs,
    #[command(subcommand)]
    pub command: FileCommand,
}

/// Flags every subcommand takes (before or after the subcommand's name).
#[derive(Args, Debug, Clone)]
pub struct CommonArgs {
    /// The filing service.
    #[arg(
        long,
        env = "CMR_FILING_ENDPOINT",
        default_value = "http://127.0.0.1:50054",
        global = true
    )]
    pub endpoint: String,
    /// Bearer token; sent as `authorization: Bearer` on every call. Prefer the environment
    /// variable to the flag.
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
    /// safely. Default: a new key for each invocation (for `record-outcome --from-csv`, a
    /// key per line derived from the file's content, so re-running the file replays it).
    #[arg(long, value_name = "KEY", global = true)]
    pub idempotency_key: Option<String>,
}

#[derive(Subcommand, Debug, Clone)]
pub enum FileCommand {
    /// The county's courts (caption data for documents).
    #[command(subcommand)]
    Courts(CourtsCommand),
    /// Put QUEUED filings of one court and agency into a DRAFT batch and render its
    /// documents (or re-render a DRAFT batch with --batch).
    Generate(GenerateArgs),
    /// Filing batches, filtered by court, agency, status.
    Batches(BatchesArgs),
    /// Filings (one per conviction), filtered by batch, court, status.
    Filings(FilingsArgs),
    /// Every current document of a batch, or one document, into a directory; size and
    /// SHA-256 checked against what the server announced.
    Download(DownloadArgs),
    /// Record that a DRAFT batch was lodged with the court.
    MarkFiled(MarkFiledArgs),
    /// Record the court's order for one filing, or for every line of a CSV file.
    RecordOutcome(RecordOutcomeArgs),
    /// The DOJ criminal-history update CSV for granted orders, into a file.
    DojUpdate(DojUpdateArgs),
    /// The impact report (impact.csv and impact.pdf) for a run or the whole county.
    Report(ReportArgs),
}

#[derive(Subcommand, Debug, Clone)]
pub enum CourtsCommand {
    /// Create or replace a court, from flags or from a JSON file.
    Put(CourtPutArgs),
    /// The county's courts.
    List,
}

#[derive(Args, Debug, Clone, Default)]
#[command(group(ArgGroup::new("source").required(true).args(["court_id", "from_json"])))]
pub struct CourtPutArgs {
    /// Stable court id (client-chosen).
    #[arg(long)]
    pub court_id: Option<String>,
    /// Caption name, e.g. "Superior Court of California, County of Sacramento".
    #[arg(long, requires = "court_id")]
    pub name: Option<String>,
    /// Branch / courthouse name.
    #[arg(long, requires = "court_id")]
    pub branch: Option<String>,
    /// NCIC ORI codes whose convictions go to this court (repeat or comma-separate).
    #[arg(long, value_delimiter = ',', requires = "court_id")]
    pub ori: Vec<String>,
    /// One postal address line (repeat, in order).
    #[arg(long, requires = "court_id")]
    pub address_line: Vec<String>,
    /// A JSON file with one court or an array of courts: {"court_id", "name",
    /// "branch_name", "ori_codes": [...], "address_lines": [...]}.
    #[arg(long, value_name = "FILE", conflicts_with = "court_id")]
    pub from_json: Option<PathBuf>,
}

/// The attorney who signs, printed on motions and CR-400s.
#[derive(Args, Debug, Clone, Default)]
pub struct SignerArgs {
    /// e.g. "Jane Doe".
    #[arg(long)]
    pub signer_name: Option<String>,
    /// e.g. "Deputy District Attorney".
    #[arg(long)]
    pub signer_title: Option<String>,
    /// State Bar number.
    #[arg(long)]
    pub bar_number: Option<String>,
    /// Office name for the caption, e.g. "Office of the District Attorney".
    #[arg(long)]
    pub office: Option<String>,
    /// One office address line (repeat, in order).
    #[arg(long)]
    pub office_address: Vec<String>,
    #[arg(long)]
    pub signer_phone: Option<String>,
    #[arg(long)]
    pub signer_email: Option<String>,
}

#[derive(Args, Debug, Clone)]
pub struct GenerateArgs {
    /// Court id (a new batch).
    #[arg(long, required_unless_present = "batch")]
    pub court: Option<String>,
    /// Prosecuting agency id (a new batch), e.g. da-34.
    #[arg(long, required_unless_present = "batch")]
    pub agency: Option<String>,
    /// Re-render this DRAFT batch instead (its old documents are superseded).
    #[arg(long, conflicts_with_all = ["court", "agency"])]
    pub batch: Option<String>,
    /// Only these QUEUED filings (repeat or comma-separate); default: every QUEUED filing of
    /// the court and agency.
    #[arg(long, value_delimiter = ',')]
    pub filing_id: Vec<String>,
    /// Kinds to render (repeat or comma-separate); default: all.
    #[arg(long, value_enum, value_delimiter = ',')]
    pub kinds: Vec<KindArg>,
    #[command(flatten)]
    pub signer: SignerArgs,
    /// Date printed on the documents (YYYY-MM-DD).
    #[arg(long, value_name = "YYYY-MM-DD")]
    pub date: String,
}

#[derive(Args, Debug, Clone)]
pub struct BatchesArgs {
    #[arg(long)]
    pub court: Option<String>,
    #[arg(long)]
    pub agency: Option<String>,
    #[arg(long, value_enum)]
    pub status: Option<BatchStatusArg>,
}

#[derive(Args, Debug, Clone)]
pub struct FilingsArgs {
    #[arg(long)]
    pub batch: Option<String>,
    #[arg(long)]
    pub court: Option<String>,
    /// Filing status (repeat or comma-separate for several).
    #[arg(long, value_enum, value_delimiter = ',')]
    pub status: Vec<FilingStatusArg>,
    /// At most this many filings (0 = all).
    #[arg(long, default_value_t = 100)]
    pub limit: usize,
}

#[derive(Args, Debug, Clone)]
#[command(group(ArgGroup::new("what").required(true).args(["batch", "document"])))]
pub struct DownloadArgs {
    /// Every current document of this batch.
    #[arg(long)]
    pub batch: Option<String>,
    /// This one document.
    #[arg(long)]
    pub document: Option<String>,
    /// Directory to write into (created if missing); file names come from the server.
    #[arg(long, value_name = "DIR")]
    pub out: PathBuf,
}

#[derive(Args, Debug, Clone)]
pub struct MarkFiledArgs {
    #[arg(long)]
    pub batch: String,
    /// Date lodged with the court (YYYY-MM-DD).
    #[arg(long, value_name = "YYYY-MM-DD")]
    pub filed_on: String,
    /// The court's filing / envelope reference.
    #[arg(long)]
    pub reference: Option<String>,
}

#[derive(Args, Debug, Clone)]
#[command(group(ArgGroup::new("what").required(true).args(["filing", "from_csv"])))]
pub struct RecordOutcomeArgs {
    /// The filing the order decides.
    #[arg(long, requires_all = ["decision", "decided_on"])]
    pub filing: Option<String>,
    #[arg(long, value_enum, requires = "filing")]
    pub decision: Option<DecisionArg>,
    /// Date of the order (YYYY-MM-DD).
    #[arg(long, value_name = "YYYY-MM-DD", requires = "filing")]
    pub decided_on: Option<String>,
    /// Court order / minute-order number (required when granted).
    #[arg(long, requires = "filing")]
    pub order_number: Option<String>,
    /// Relief the court granted, when it differs from what was asked.
    #[arg(long, value_enum, requires = "filing")]
    pub granted_relief: Option<ReliefArg>,
    /// The current outcome this one corrects.
    #[arg(long, value_name = "OUTCOME_ID", requires = "filing")]
    pub supersedes: Option<String>,
    #[arg(long, requires = "filing")]
    pub note: Option<String>,
    /// Outcomes in bulk: a CSV file with the header filing_id,decision,decided_on,order_number
    /// (optional further columns granted_relief, supersedes, note). Every line is checked
    /// before any is sent.
    #[arg(long, value_name = "FILE", conflicts_with = "filing")]
    pub from_csv: Option<PathBuf>,
}

#[derive(Args, Debug, Clone)]
pub struct DojUpdateArgs {
    /// The CSV file to write.
    #[arg(long, value_name = "FILE")]
    pub out: PathBuf,
    /// Only this court's orders.
    #[arg(long)]
    pub court: Option<String>,
    /// Only orders dated on or after (YYYY-MM-DD).
    #[arg(long, value_name = "YYYY-MM-DD")]
    pub decided_from: Option<String>,
    /// Only orders dated on or before (YYYY-MM-DD).
    #[arg(long, value_name = "YYYY-MM-DD")]
    pub decided_to: Option<String>,
    /// Only outcomes never exported before.
    #[arg(long)]
    pub not_exported_only: bool,
    /// Stamp every outcome included as exported.
    #[arg(long)]
    pub mark_exported: bool,
}

#[derive(Args, Debug, Clone)]
pub struct ReportArgs {
    /// Only filings of this eligibility run (and gogen's three subject counts from it);
    /// default: the whole county.
    #[arg(long, value_name = "RUN_ID")]
    pub run: Option<String>,
    /// Dimensions to group by (comma-separated, in this order of nesting); default: relief type.
    #[arg(long, value_enum, value_delimiter = ',')]
    pub group_by: Vec<DimensionArg>,
    /// Suppression threshold in people (the server never goes below 11).
    #[arg(long, value_name = "N")]
    pub min_cell_size: Option<i32>,
    /// Which outcomes count (default: granted).
    #[arg(long, value_enum)]
    pub decision: Option<DecisionArg>,
    /// Directory for impact.csv and impact.pdf (created if missing).
    #[arg(long, value_name = "DIR")]
    pub out: PathBuf,
    /// The eligibility service (for --run).
    #[arg(
        long,
        env = "CMR_ELIGIBILITY_ENDPOINT",
        default_value = "http://127.0.0.1:50052"
    )]
    pub eligibility_endpoint: String,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum KindArg {
    BulkMotion,
    ProposedOrder,
    Cr400,
    Cr400Order,
    DefenderNotice,
    CourtNotice,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum BatchStatusArg {
    Draft,
    Filed,
    Closed,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum FilingStatusArg {
    Queued,
    Draft,
    Filed,
    Granted,
    Denied,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum DecisionArg {
    Granted,
    Denied,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum ReliefArg {
    DismissAndSeal,
    RedesignateMisdemeanor,
    RedesignateInfraction,
    RecallAndDismiss,
    RecallAndResentence,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum DimensionArg {
    ReliefType,
    CodeSection,
    Race,
}
