using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Trellis.Data;
using Trellis.Framework;
using Trellis.Import;
using Trellis.Tests.Infrastructure;

namespace Trellis.Tests.Import;

/// <summary>Temporary input files for an import test, and helpers to run imports and exports against a test app.</summary>
internal sealed class ImportFolder : IDisposable
{
    public string Path { get; } = Directory.CreateTempSubdirectory("trellis-import-test-").FullName;

    public string Write(string name, string text)
    {
        var file = System.IO.Path.Combine(Path, name);
        File.WriteAllText(file, text.ReplaceLineEndings("\n"));
        return file;
    }

    public void Dispose() => Directory.Delete(Path, recursive: true);
}

internal static class ImportRuns
{
    public static async Task<ImportReport> ImportAsync(this TrellisApp app, params (ImportFileKind Kind, string Path)[] files)
    {
        using var scope = app.Services.CreateScope();
        var import = scope.ServiceProvider.GetRequiredService<DataImport>();
        var request = new ImportRequest(files.ToDictionary(f => f.Kind, f => new ImportSource(System.IO.Path.GetFileName(f.Path), f.Path)));
        return await import.RunAsync(request, "H1");
    }

    /// <summary>Every file of an export, by name, as text: a complete picture of the imported data.</summary>
    public static async Task<Dictionary<string, string>> SnapshotAsync(this TrellisApp app)
    {
        var dir = Directory.CreateTempSubdirectory("trellis-snapshot-");
        try
        {
            using var scope = app.Services.CreateScope();
            await new DataExport(scope.ServiceProvider.GetRequiredService<TrellisDb>()).WriteAsync(dir.FullName, null);
            return Directory.GetFiles(dir.FullName).ToDictionary(f => System.IO.Path.GetFileName(f), File.ReadAllText);
        }
        finally { dir.Delete(true); }
    }

    public static async Task<int> FrameworkVersionsAsync(this TrellisApp app) =>
        await app.WithDbAsync(db => db.FrameworkVersions.CountAsync());

    public static FrameworkStore Store(this TrellisApp app) => app.Services.GetRequiredService<FrameworkStore>();
}
