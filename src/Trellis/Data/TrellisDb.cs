using System.Data.Common;
using Microsoft.AspNetCore.DataProtection.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace Trellis.Data;

/// <summary>
/// The database. One model, two providers: each provider has its own subclass so that each keeps
/// its own migrations (Data/Migrations/Sqlite, Data/Migrations/Postgres).
/// Entity configurations are picked up from the assembly, so a feature adds a table by adding an
/// entity and its <see cref="IEntityTypeConfiguration{T}"/> in its own folder.
/// </summary>
public abstract class TrellisDb(DbContextOptions options) : DbContext(options), IDataProtectionKeyContext
{
    public DbSet<Employee> Employees => Set<Employee>();
    public DbSet<Observation> Observations => Set<Observation>();
    public DbSet<ResultRecord> Results => Set<ResultRecord>();
    public DbSet<Recognition> Recognitions => Set<Recognition>();
    public DbSet<PromotionRecord> Promotions => Set<PromotionRecord>();
    public DbSet<Concern> Concerns => Set<Concern>();
    public DbSet<FrameworkVersion> FrameworkVersions => Set<FrameworkVersion>();
    public DbSet<Account> Accounts => Set<Account>();
    public DbSet<ApiToken> ApiTokens => Set<ApiToken>();
    public DbSet<Accounts.SignInLockout> SignInLockouts => Set<Accounts.SignInLockout>();
    public DbSet<AuditLogEntry> AuditLog => Set<AuditLogEntry>();
    public DbSet<Evidence.FeedbackRequest> FeedbackRequests => Set<Evidence.FeedbackRequest>();
    public DbSet<Evidence.FeedbackRequestRater> FeedbackRequestRaters => Set<Evidence.FeedbackRequestRater>();
    public DbSet<Evidence.ObservationVersion> ObservationVersions => Set<Evidence.ObservationVersion>();
    public DbSet<Cycle> Cycles => Set<Cycle>();
    public DbSet<CycleCommitteeMember> CycleCommittee => Set<CycleCommitteeMember>();
    public DbSet<CycleEvent> CycleEvents => Set<CycleEvent>();
    public DbSet<ConversationRequest> ConversationRequests => Set<ConversationRequest>();
    public DbSet<EmployeeEvent> EmployeeEvents => Set<EmployeeEvent>();
    public DbSet<Nomination> Nominations => Set<Nomination>();
    public DbSet<NominationDecisionChange> NominationDecisions => Set<NominationDecisionChange>();
    public DbSet<ReflectionNote> ReflectionNotes => Set<ReflectionNote>();
    public DbSet<Notification> Notifications => Set<Notification>();
    public DbSet<TransitionPlan> TransitionPlans => Set<TransitionPlan>();
    public DbSet<TransitionCheckIn> TransitionCheckIns => Set<TransitionCheckIn>();
    public DbSet<PulseAnswer> PulseAnswers => Set<PulseAnswer>();
    public DbSet<PulseParticipation> PulseParticipation => Set<PulseParticipation>();
    public DbSet<TrackReturn> TrackReturns => Set<TrackReturn>();
    public DbSet<Audit.DecisionSnapshotDate> DecisionSnapshotDates => Set<Audit.DecisionSnapshotDate>();
    public DbSet<Audit.DecisionSnapshot> DecisionSnapshots => Set<Audit.DecisionSnapshot>();
    public DbSet<EvidenceRevision> EvidenceRevisions => Set<EvidenceRevision>();
    public DbSet<TableRevision> TableRevisions => Set<TableRevision>();

    public DbSet<Webhooks.OutboxEvent> OutboxEvents => Set<Webhooks.OutboxEvent>();
    public DbSet<Webhooks.WebhookEndpoint> WebhookEndpoints => Set<Webhooks.WebhookEndpoint>();
    public DbSet<Webhooks.WebhookDelivery> WebhookDeliveries => Set<Webhooks.WebhookDelivery>();
    /// <summary>ASP.NET Core data-protection keys: every node reads the same ring, so cookies and antiforgery tokens survive restarts and work on every node.</summary>
    public DbSet<DataProtectionKey> DataProtectionKeys => Set<DataProtectionKey>();

    public abstract DatabaseProvider Provider { get; }

    private List<Action>? _afterCommit;

    /// <summary>Runs <paramref name="action"/> once the current transaction commits; dropped if it rolls back.</summary>
    public void AfterCommit(Action action) => (_afterCommit ??= []).Add(action);

    internal void TransactionEnded(bool committed)
    {
        var actions = _afterCommit;
        _afterCommit = null;
        if (committed && actions is not null)
            foreach (var action in actions) action();
    }

    private Webhooks.Outbox? _outbox;

    /// <summary>Events of this unit of work: written with its next save, in the same transaction.</summary>
    public Webhooks.Outbox Outbox => _outbox ??= new Webhooks.Outbox(this);

    public override async Task<int> SaveChangesAsync(bool acceptAllChangesOnSuccess, CancellationToken cancellationToken = default)
    {
        return _outbox is { HasPending: true }
            ? await _outbox.SaveWithEventsAsync(ct => base.SaveChangesAsync(acceptAllChangesOnSuccess, ct), cancellationToken)
            : await base.SaveChangesAsync(acceptAllChangesOnSuccess, cancellationToken);
    }

    public override int SaveChanges(bool acceptAllChangesOnSuccess)
    {
        return _outbox is { HasPending: true }
            // Events need queries of their own; the services save asynchronously, so this path only keeps a synchronous caller correct.
            ? _outbox.SaveWithEventsAsync(_ => Task.FromResult(base.SaveChanges(acceptAllChangesOnSuccess)), CancellationToken.None).GetAwaiter().GetResult()
            : base.SaveChanges(acceptAllChangesOnSuccess);
    }

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.ApplyConfigurationsFromAssembly(typeof(TrellisDb).Assembly);
        modelBuilder.Entity<DataProtectionKey>().ToTable("data_protection_keys");
        // snake_case columns, like the CSV formats, so that plain SQL over the database reads naturally
        // (e.g. SELECT subject_id, behavior, avg(rating) FROM observations).
        foreach (var entity in modelBuilder.Model.GetEntityTypes())
        foreach (var property in entity.GetProperties())
            property.SetColumnName(SnakeCase(property.Name));
    }

    public static string SnakeCase(string name) =>
        string.Concat(name.Select((c, i) => char.IsUpper(c) ? (i > 0 ? "_" : "") + char.ToLowerInvariant(c) : c.ToString()));

    protected override void ConfigureConventions(ModelConfigurationBuilder configurationBuilder)
    {
        // DateTimeOffset is stored as UTC everywhere; SQLite cannot order DateTimeOffset natively.
        configurationBuilder.Properties<DateTimeOffset>().HaveConversion<UtcDateTimeOffsetConverter>();
        configurationBuilder.Properties<DateTimeOffset?>().HaveConversion<UtcDateTimeOffsetConverter>();
    }
}

public sealed class SqliteTrellisDb(DbContextOptions<SqliteTrellisDb> options) : TrellisDb(options)
{
    public override DatabaseProvider Provider => DatabaseProvider.Sqlite;
}

public sealed class PostgresTrellisDb(DbContextOptions<PostgresTrellisDb> options) : TrellisDb(options)
{
    public override DatabaseProvider Provider => DatabaseProvider.Postgres;
}

/// <summary>Runs the <see cref="TrellisDb.AfterCommit"/> actions of a context when its transaction ends.</summary>
internal sealed class AfterCommitInterceptor : DbTransactionInterceptor
{
    public static readonly AfterCommitInterceptor Instance = new();

    public override void TransactionCommitted(DbTransaction transaction, TransactionEndEventData eventData) =>
        (eventData.Context as TrellisDb)?.TransactionEnded(committed: true);

    public override Task TransactionCommittedAsync(DbTransaction transaction, TransactionEndEventData eventData, CancellationToken cancellationToken = default)
    {
        (eventData.Context as TrellisDb)?.TransactionEnded(committed: true);
        return Task.CompletedTask;
    }

    public override void TransactionRolledBack(DbTransaction transaction, TransactionEndEventData eventData) =>
        (eventData.Context as TrellisDb)?.TransactionEnded(committed: false);

    public override Task TransactionRolledBackAsync(DbTransaction transaction, TransactionEndEventData eventData, CancellationToken cancellationToken = default)
    {
        (eventData.Context as TrellisDb)?.TransactionEnded(committed: false);
        return Task.CompletedTask;
    }
}

internal sealed class UtcDateTimeOffsetConverter() : Microsoft.EntityFrameworkCore.Storage.ValueConversion.ValueConverter<DateTimeOffset, DateTime>(
    v => v.UtcDateTime, v => new DateTimeOffset(DateTime.SpecifyKind(v, DateTimeKind.Utc)));

// Design-time factories for `dotnet ef migrations add … --context SqliteTrellisDb|PostgresTrellisDb`.
internal sealed class SqliteDesignFactory : IDesignTimeDbContextFactory<SqliteTrellisDb>
{
    public SqliteTrellisDb CreateDbContext(string[] args) =>
        new(new DbContextOptionsBuilder<SqliteTrellisDb>().UseSqlite("Data Source=design.db").Options);
}

internal sealed class PostgresDesignFactory : IDesignTimeDbContextFactory<PostgresTrellisDb>
{
    public PostgresTrellisDb CreateDbContext(string[] args) =>
        new(new DbContextOptionsBuilder<PostgresTrellisDb>().UseNpgsql("Host=localhost;Database=design").Options);
}
