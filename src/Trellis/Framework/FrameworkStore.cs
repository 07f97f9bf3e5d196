using Microsoft.EntityFrameworkCore;
using Trellis.Core.Framework;
using Trellis.Data;

namespace Trellis.Framework;

/// <summary>The current framework version, parsed once and cached until a new version is saved.</summary>
public sealed class FrameworkStore(IServiceScopeFactory scopes, TimeProvider clock) : IDisposable
{
    public void Dispose() => _gate.Dispose();

    private volatile CurrentFramework? _current;
    private readonly SemaphoreSlim _gate = new(1, 1);

    public sealed record CurrentFramework(int VersionId, string Label, CareerFramework Framework);

    /// <summary>The current framework, or null when none has been imported yet.</summary>
    public async Task<CurrentFramework?> GetAsync(CancellationToken ct = default)
    {
        if (_current is { } cached) return cached;
        await _gate.WaitAsync(ct);
        try
        {
            if (_current is { } again) return again;
            using var scope = scopes.CreateScope();
            var db = scope.ServiceProvider.GetRequiredService<TrellisDb>();
            _current = await LoadCurrentAsync(db, ct);
            return _current;
        }
        finally { _gate.Release(); }
    }

    public async Task<CareerFramework> RequireAsync(CancellationToken ct = default) =>
        (await GetAsync(ct))?.Framework ?? throw new InvalidOperationException("No career framework has been imported yet.");

    public void Invalidate() => _current = null;

    public static async Task<CurrentFramework?> LoadCurrentAsync(TrellisDb db, CancellationToken ct = default)
    {
        var row = await db.FrameworkVersions.AsNoTracking().OrderByDescending(v => v.Id).FirstOrDefaultAsync(ct);
        if (row is null) return null;
        var parsed = FrameworkJson.Parse(row.Json);
        // A stored version was valid when saved; if it no longer parses the schema changed under it — fail loudly.
        var framework = parsed.Framework ?? throw new InvalidOperationException(
            $"Stored framework version {row.Id} is invalid: {string.Join("; ", parsed.Problems)}");
        return new(row.Id, row.Label, framework);
    }

    /// <summary>Stores a new version (the caller has validated it) unless it equals the current one. Returns the version id.</summary>
    public async Task<(int VersionId, bool Created)> SaveVersionAsync(TrellisDb db, CareerFramework framework, string? by, string? note, CancellationToken ct = default)
    {
        var json = FrameworkJson.Write(framework);
        var latest = await db.FrameworkVersions.OrderByDescending(v => v.Id).Select(v => new { v.Id, v.Json }).FirstOrDefaultAsync(ct);
        if (latest is not null && latest.Json == json) return (latest.Id, false);
        var row = new FrameworkVersion
        {
            Name = framework.Name,
            Label = framework.Version,
            Json = json,
            CreatedAt = clock.GetUtcNow(),
            CreatedBy = by,
            Note = note,
        };
        db.FrameworkVersions.Add(row);
        await db.SaveChangesAsync(ct);
        Invalidate();
        return (row.Id, true);
    }

    /// <summary>The sample framework that ships with Trellis (embedded resource).</summary>
    public static string SampleJson()
    {
        using var stream = typeof(FrameworkStore).Assembly.GetManifestResourceStream("sample-framework.json")
            ?? throw new InvalidOperationException("sample-framework.json is not embedded");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }
}
