using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Trellis.Data;

internal sealed class EmployeeConfiguration : IEntityTypeConfiguration<Employee>
{
    public void Configure(EntityTypeBuilder<Employee> e)
    {
        e.ToTable("employees", t => TableRevision.Counted(t, TableRevision.Employees));
        e.HasKey(x => x.Id);
        e.Property(x => x.Id).HasMaxLength(64);
        e.Property(x => x.Name).HasMaxLength(200);
        e.Property(x => x.Email).HasMaxLength(320);
        e.Property(x => x.ManagerId).HasMaxLength(64);
        e.Property(x => x.Track).HasMaxLength(64);
        e.Property(x => x.Level).HasMaxLength(64);
        e.Property(x => x.Status).HasMaxLength(16);
        e.HasIndex(x => x.ManagerId);
        e.HasIndex(x => x.Department);
        // Level first, then status and name: "the first 100 active people at level X by name" (whom a candidate may ask
        // for a conversation) is a seek, not a walk of the whole organisation by name looking for a rare level.
        e.HasIndex(x => new { x.Level, x.Status, x.Name });
        e.HasIndex(x => x.Name);
        // No FK to the manager: imports may reference managers later in the same file, and people leave.
    }
}

internal sealed class ObservationConfiguration : IEntityTypeConfiguration<Observation>
{
    public void Configure(EntityTypeBuilder<Observation> e)
    {
        e.ToTable("observations");
        e.HasKey(x => x.Id);
        e.Property(x => x.Id).HasMaxLength(64);
        e.Property(x => x.SubjectId).HasMaxLength(64);
        e.Property(x => x.RaterId).HasMaxLength(64);
        e.Property(x => x.Relationship).HasMaxLength(16);
        e.Property(x => x.Behavior).HasMaxLength(64);
        e.Property(x => x.Visibility).HasMaxLength(16);
        e.HasIndex(x => new { x.SubjectId, x.Behavior });
        e.HasIndex(x => x.RaterId);
        // The held-back rows (released_at null) are read on every readiness load and every release pass.
        e.HasIndex(x => x.ReleasedAt);
    }
}

internal sealed class ResultRecordConfiguration : IEntityTypeConfiguration<ResultRecord>
{
    public void Configure(EntityTypeBuilder<ResultRecord> e)
    {
        e.ToTable("results", t => TableRevision.Counted(t, TableRevision.Results));
        e.HasKey(x => new { x.EmployeeId, x.Period });
        e.Property(x => x.EmployeeId).HasMaxLength(64);
        e.Property(x => x.Period).HasMaxLength(32);
        // HR's recent results (newest period end first, then by person): the first page is read off this index instead of
        // sorting every result (265,000 at 100,000 people; all of a period share its end date, so it must be this order).
        e.HasIndex(x => new { x.PeriodEnd, x.EmployeeId }).IsDescending(true, false);
    }
}

internal sealed class RecognitionConfiguration : IEntityTypeConfiguration<Recognition>
{
    public void Configure(EntityTypeBuilder<Recognition> e)
    {
        e.ToTable("recognitions", t => TableRevision.Counted(t, TableRevision.Recognitions));
        e.HasKey(x => x.Id);
        e.Property(x => x.Id).HasMaxLength(64);
        e.Property(x => x.FromId).HasMaxLength(64);
        e.Property(x => x.ToId).HasMaxLength(64);
        e.Property(x => x.Value).HasMaxLength(64);
        e.Property(x => x.Behavior).HasMaxLength(64);
        // The feed's order (newest first, then id), whole, by value and by receiver: a page reads its rows off the index
        // instead of sorting every recognition (both providers scan these backwards for given_on DESC, id DESC).
        e.HasIndex(x => new { x.GivenOn, x.Id });
        e.HasIndex(x => new { x.Value, x.GivenOn, x.Id });
        e.HasIndex(x => new { x.ToId, x.GivenOn, x.Id });
    }
}

internal sealed class PromotionRecordConfiguration : IEntityTypeConfiguration<PromotionRecord>
{
    public void Configure(EntityTypeBuilder<PromotionRecord> e)
    {
        e.ToTable("promotions", t => TableRevision.Counted(t, TableRevision.Promotions));
        e.HasKey(x => new { x.Cycle, x.EmployeeId });
        e.Property(x => x.Cycle).HasMaxLength(64);
        e.Property(x => x.EmployeeId).HasMaxLength(64);
        e.Property(x => x.FromLevel).HasMaxLength(64);
        e.Property(x => x.ToLevel).HasMaxLength(64);
        e.Property(x => x.Outcome).HasMaxLength(16);
        e.HasIndex(x => x.EmployeeId);
    }
}

internal sealed class ConcernConfiguration : IEntityTypeConfiguration<Concern>
{
    public void Configure(EntityTypeBuilder<Concern> e)
    {
        e.ToTable("concerns", t => TableRevision.Counted(t, TableRevision.Concerns));
        e.HasKey(x => x.Id);
        e.Property(x => x.Id).HasMaxLength(64);
        e.Property(x => x.EmployeeId).HasMaxLength(64);
        e.Property(x => x.Category).HasMaxLength(64);
        e.HasIndex(x => x.EmployeeId);
        // HR's list, newest first: the first 100 read off the index instead of sorting every concern.
        e.HasIndex(x => new { x.RecordedOn, x.Id });
    }
}

internal sealed class FrameworkVersionConfiguration : IEntityTypeConfiguration<FrameworkVersion>
{
    public void Configure(EntityTypeBuilder<FrameworkVersion> e)
    {
        e.ToTable("framework_versions");
        e.HasKey(x => x.Id);
        e.Property(x => x.Name).HasMaxLength(200);
        e.Property(x => x.Label).HasMaxLength(64);
    }
}

internal sealed class AccountConfiguration : IEntityTypeConfiguration<Account>
{
    public void Configure(EntityTypeBuilder<Account> e)
    {
        e.ToTable("accounts");
        e.HasKey(x => x.Id);
        e.Property(x => x.EmployeeId).HasMaxLength(64);
        e.HasIndex(x => x.EmployeeId).IsUnique();
        e.Property(x => x.Roles).HasMaxLength(200);
        // Who holds a role (HR, the committee) is found by the few canonical role lists that include it (Roles.ListsWith),
        // an index seek instead of reading every account (100,000 of them in a large organisation).
        e.HasIndex(x => x.Roles);
        e.Property(x => x.SecurityStamp).HasMaxLength(64);
    }
}

internal sealed class ApiTokenConfiguration : IEntityTypeConfiguration<ApiToken>
{
    public void Configure(EntityTypeBuilder<ApiToken> e)
    {
        e.ToTable("api_tokens");
        e.HasKey(x => x.Id);
        e.Property(x => x.Name).HasMaxLength(100);
        e.Property(x => x.Hash).HasMaxLength(64);
        e.HasIndex(x => x.Hash).IsUnique();
        e.HasOne<Account>().WithMany().HasForeignKey(x => x.AccountId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class AuditLogEntryConfiguration : IEntityTypeConfiguration<AuditLogEntry>
{
    public void Configure(EntityTypeBuilder<AuditLogEntry> e)
    {
        e.ToTable("audit_log");
        e.HasKey(x => x.Id);
        e.Property(x => x.Action).HasMaxLength(64);
        e.Property(x => x.ActorEmployeeId).HasMaxLength(64);
        e.Property(x => x.SubjectEmployeeId).HasMaxLength(64);
        e.HasIndex(x => x.At);
        e.HasIndex(x => x.SubjectEmployeeId);
    }
}
