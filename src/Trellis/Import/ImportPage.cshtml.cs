using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Trellis.Accounts;

namespace Trellis.Import;

/// <summary>The Import page: HR and admins upload the framework and CSV files; the same checks and messages as <c>trellis import</c>.</summary>
[Authorize(Policy = Policies.HrOrAdmin)]
[RequestSizeLimit(MaxUpload)]
[RequestFormLimits(MultipartBodyLengthLimit = MaxUpload)]
public sealed class ImportPageModel(DataImport import, Viewer viewer, AccountStates sessions) : PageModel
{
    /// <summary>Uploads up to 2 GB in all: a million observations is about 80 MB.</summary>
    private const long MaxUpload = 2L * 1024 * 1024 * 1024;

    public static readonly IReadOnlyList<(ImportFileKind Kind, string Field, string Label)> Fields =
    [
        (ImportFileKind.Framework, "framework", "framework.json"),
        .. CsvFormats.All.Select(f => (f.Kind, f.Option.TrimStart('-'), f.FileName)),
    ];

    public ImportReport? Report { get; private set; }
    public string? Error { get; private set; }

    public void OnGet() { }

    public async Task<IActionResult> OnPostAsync(CancellationToken ct)
    {
        var uploads = Fields
            .Select(f => (f.Kind, File: Request.Form.Files.GetFile(f.Field)))
            .Where(u => u.File is { Length: > 0 })
            .ToList();
        if (uploads.Count == 0)
        {
            Error = "Choose at least one file to import.";
            Response.StatusCode = StatusCodes.Status400BadRequest;
            return Page();
        }

        // The importer streams files twice (check, then write), so uploads go to a private temporary folder first.
        var folder = Directory.CreateTempSubdirectory("trellis-import-");
        try
        {
            var sources = new Dictionary<ImportFileKind, ImportSource>();
            foreach (var (kind, file) in uploads)
            {
                var name = Path.GetFileName(file!.FileName);
                if (string.IsNullOrWhiteSpace(name)) name = Fields.First(f => f.Kind == kind).Label;
                var path = Path.Combine(folder.FullName, $"{(int)kind}-{Guid.NewGuid():N}");
                await using (var target = System.IO.File.Create(path))
                    await file.CopyToAsync(target, ct);
                sources[kind] = new ImportSource(name, path);
            }
            Report = await import.RunAsync(new ImportRequest(sources), viewer.EmployeeId, null, ct);
            if (!Report.Succeeded) Response.StatusCode = StatusCodes.Status422UnprocessableEntity;
            // People the import marked as left must lose their sessions now, not when the cached state expires.
            else sessions.ForgetAll();
            return Page();
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }
}
