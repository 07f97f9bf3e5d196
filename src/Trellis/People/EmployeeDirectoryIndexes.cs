using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Trellis.Data;

namespace Trellis.People;

/// <summary>
/// Indexes the directory needs at 100,000 people: the default listing (active people by name) and the change
/// stamp of <see cref="OrgSnapshots"/> (count of active people) both read this index instead of the table.
/// </summary>
internal sealed class EmployeeDirectoryIndexes : IEntityTypeConfiguration<Employee>
{
    public void Configure(EntityTypeBuilder<Employee> e) => e.HasIndex(x => new { x.Status, x.Name, x.Id });
}
