using System.Globalization;

namespace Trellis.Shared;

/// <summary>
/// Optional paging of API lists whose answer is a whole set by contract (a JSON array or a fixed object): without
/// <c>page</c> and <c>page_size</c> the whole set, as before; with either, one page of it (<c>page</c> from 1,
/// <c>page_size</c> 1–<see cref="MaxPageSize"/>, default <see cref="DefaultPageSize"/>) and the size of the whole set in
/// the <c>X-Total-Count</c> response header, so that the body keeps its shape.
/// </summary>
public readonly record struct ApiPaging(int? Page, int? PageSize)
{
    public const int DefaultPageSize = 100;
    public const int MaxPageSize = 1000;
    public const string TotalHeader = "X-Total-Count";

    public bool Requested => Page is not null || PageSize is not null;

    /// <summary>Field errors keyed by the query parameter, empty when fine.</summary>
    public Dictionary<string, string[]> Validate()
    {
        var errors = new Dictionary<string, string[]>();
        if (Page is < 1) errors["page"] = [$"page must be 1 or more (got {Page})"];
        if (PageSize is < 1 or > MaxPageSize) errors["page_size"] = [$"page_size must be between 1 and {MaxPageSize} (got {PageSize})"];
        return errors;
    }

    /// <summary>
    /// For lists paged by default (the page's body carries <c>total</c>): while rows remain after page
    /// <paramref name="page"/> of <paramref name="pageSize"/>, a <c>Link: &lt;…&gt;; rel="next"</c> header to the same request
    /// (path and every other query parameter) with the next page number and the page size.
    /// </summary>
    public static void LinkNext(HttpRequest request, HttpResponse response, int page, int pageSize, int total)
    {
        if ((long)page * pageSize >= total) return;
        var query = request.Query.Where(p => p.Key is not ("page" or "page_size"))
            .SelectMany(p => p.Value.Select(v => new KeyValuePair<string, string?>(p.Key, v)))
            .Append(new("page", (page + 1).ToString(CultureInfo.InvariantCulture)))
            .Append(new("page_size", pageSize.ToString(CultureInfo.InvariantCulture)));
        response.Headers.Link = $"<{request.PathBase}{request.Path}{QueryString.Create(query)}>; rel=\"next\"";
    }

    /// <summary>The rows of one page of a list paged by default (<c>page</c> from 1).</summary>
    public static List<T> PageOf<T>(IReadOnlyList<T> all, int page, int pageSize) =>
        all.Skip((int)Math.Min(int.MaxValue, ((long)page - 1) * pageSize)).Take(pageSize).ToList();

    /// <summary>The whole list, or the page asked for with the total in the response header.</summary>
    public IReadOnlyList<T> Apply<T>(IReadOnlyList<T> all, HttpResponse response)
    {
        if (!Requested) return all;
        response.Headers[TotalHeader] = all.Count.ToString(CultureInfo.InvariantCulture);
        var size = PageSize ?? DefaultPageSize;
        return all.Skip((int)Math.Min(int.MaxValue, ((long)(Page ?? 1) - 1) * size)).Take(size).ToList();
    }
}
