package chatapptest

import (
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/chatappkit/chatapp"
)

// templateCounts are the numbers of one template bucket; clicks follow the
// template's buttons.
type templateCounts struct {
	sent, delivered, read int64
	clicks                []int64
}

// templateSeedKey picks a seeded template bucket.
type templateSeedKey struct {
	code, language string
	granularity    chatapp.Granularity
	start          int64 // UNIX milliseconds
}

// templateHalfHour returns the counts of t's half hour at start: seeded,
// else generated from the template's code and language. Reads never exceed
// deliveries, which never exceed sends; clicks never exceed reads. The
// caller holds e.mu.
func (e *Emulator) templateHalfHour(t Template, th uint64, start time.Time) templateCounts {
	if c, ok := e.templateSeeds[templateSeedKey{t.Code, t.Language, chatapp.GranularityHalfHour, start.UnixMilli()}]; ok {
		return c
	}
	g := generated(th, start, e.loc)
	r := mix(th ^ uint64(start.UnixMilli()) ^ 0x7e3a)
	c := templateCounts{sent: g.sent, delivered: g.delivered, read: g.delivered * (400 + int64(r%401)) / 1000}
	c.clicks = make([]int64, len(t.Buttons))
	for i := range t.Buttons {
		c.clicks[i] = c.read * (50 + int64(mix(r+uint64(i))%151)) / 1000
	}
	return c
}

// templateDaily sums the half hours of [start, end) that have begun by now,
// unless the day is seeded. The caller holds e.mu.
func (e *Emulator) templateDaily(t Template, th uint64, start, end, now time.Time) templateCounts {
	if c, ok := e.templateSeeds[templateSeedKey{t.Code, t.Language, chatapp.GranularityDaily, start.UnixMilli()}]; ok {
		return c
	}
	sum := templateCounts{clicks: make([]int64, len(t.Buttons))}
	for b := start; b.Before(end) && !b.After(now); b = b.Add(halfHour) {
		c := e.templateHalfHour(t, th, b)
		sum.sent += c.sent
		sum.delivered += c.delivered
		sum.read += c.read
		for i := range sum.clicks {
			if i < len(c.clicks) {
				sum.clicks[i] += c.clicks[i]
			}
		}
	}
	return sum
}

// templateSeries computes the answer to a template metric query: one series
// per template of the channel with the code (and the language, when
// given), templates by language, points in time order. A template the
// channel does not have gets empty Data with Code "OK", as for a number.
func (e *Emulator) templateSeries(q metricQuery, code, language string, now time.Time) ([]chatapp.TemplateMetric, *apiError) {
	e.mu.RLock()
	defer e.mu.RUnlock()
	out := []chatapp.TemplateMetric{}
	from, to, ok := e.dataRange(q, now)
	if !ok {
		return out, nil
	}
	var matched []Template
	for _, t := range e.templates {
		if t.Code == code && (language == "" || t.Language == language) {
			matched = append(matched, t)
		}
	}
	if _, err := pointsPerSeries(q.granularity, from, to, len(matched)); err != nil {
		return nil, err
	}
	for _, t := range matched {
		th := phoneHash(t.Code + "\x00" + t.Language)
		forEachBucket(q.granularity, e.loc, from, to, func(start, end time.Time) {
			var c templateCounts
			if q.granularity == chatapp.GranularityDaily {
				c = e.templateDaily(t, th, start, end, now)
			} else {
				c = e.templateHalfHour(t, th, start)
			}
			m := chatapp.TemplateMetric{
				TemplateCode: t.Code, Language: t.Language,
				SentCount: c.sent, DeliveredCount: c.delivered, ReadCount: c.read,
				Start: start.UTC(), End: end.UTC(),
			}
			for i, b := range t.Buttons {
				if i < len(c.clicks) {
					m.Clicks = append(m.Clicks, chatapp.ButtonClicks{ButtonContent: b.Content, Count: c.clicks[i], Type: b.Type})
				}
			}
			out = append(out, m)
		})
	}
	return out, nil
}

type templateMetricBody struct {
	RequestID string              `json:"RequestId"`
	Code      string              `json:"Code"`
	Message   string              `json:"Message"`
	Data      []templatePointBody `json:"Data"`
}

type templatePointBody struct {
	TemplateCode   string      `json:"TemplateCode"`
	Language       string      `json:"Language"`
	SentCount      int64       `json:"SentCount"`
	ReadCount      int64       `json:"ReadCount"`
	DeliveredCount int64       `json:"DeliveredCount"`
	Cliented       []clickBody `json:"Cliented"`
	Start          int64       `json:"Start"`
	End            int64       `json:"End"`
}

type clickBody struct {
	Type          string `json:"Type"`
	ButtonContent string `json:"ButtonContent"`
	Count         int64  `json:"Count"`
}

// serveTemplateMetric answers GetChatappTemplateMetric: TemplateCode is
// required (MissingTemplateCode), Start, End and Granularity follow the
// rules of GetChatappPhoneNumberMetric.
func (e *Emulator) serveTemplateMetric(in *incoming, now time.Time) *response {
	code := in.params.Get("TemplateCode")
	if code == "" {
		return errorResponse(errMissing("TemplateCode"))
	}
	q, err := parseMetricQuery(in.params)
	if err != nil {
		return errorResponse(err)
	}
	points, err := e.templateSeries(q, code, in.params.Get("Language"), now)
	if err != nil {
		return errorResponse(err)
	}
	id := newRequestID()
	return okResponse(id, templateBody(id, points))
}

func templateBody(id string, points []chatapp.TemplateMetric) []byte {
	body := templateMetricBody{RequestID: id, Code: codeOK, Message: "None", Data: make([]templatePointBody, len(points))}
	for i, p := range points {
		w := templatePointBody{
			TemplateCode: p.TemplateCode, Language: p.Language,
			SentCount: p.SentCount, ReadCount: p.ReadCount, DeliveredCount: p.DeliveredCount,
			Cliented: []clickBody{}, Start: p.Start.UnixMilli(), End: p.End.UnixMilli(),
		}
		for _, k := range p.Clicks {
			w.Cliented = append(w.Cliented, clickBody{Type: string(k.Type), ButtonContent: k.ButtonContent, Count: k.Count})
		}
		body.Data[i] = w
	}
	return marshal(body)
}

// TemplateMetrics returns the points GetChatappTemplateMetric would answer
// req with right now, as a client decodes them.
func (e *Emulator) TemplateMetrics(req *chatapp.GetChatappTemplateMetricRequest) ([]chatapp.TemplateMetric, error) {
	if req == nil || req.TemplateCode == "" {
		return nil, errors.New("chatapptest: TemplateMetrics: a request with a TemplateCode is needed")
	}
	p := map[string][]string{
		"Start":       {strconv.FormatInt(req.Start.UnixMilli(), 10)},
		"End":         {strconv.FormatInt(req.End.UnixMilli(), 10)},
		"CustSpaceId": {req.CustSpaceID},
	}
	if req.Granularity != "" {
		p["Granularity"] = []string{string(req.Granularity)}
	}
	q, apiErr := parseMetricQuery(p)
	if apiErr != nil {
		return nil, apiErr
	}
	points, apiErr := e.templateSeries(q, req.TemplateCode, req.Language, e.now())
	if apiErr != nil {
		return nil, apiErr
	}
	return points, nil
}

// SeedTemplateMetrics stores explicit template points of granularity g
// (empty means DAILY), which then take the place of the generated ones.
// Each point's TemplateCode and Language must name a template of the
// channel (see AddTemplate), and its Start must begin a bucket of g; End
// is ignored. Counts are answered as given, Clicks in the order of the
// template's buttons. Either every point is stored or, on error, none.
func (e *Emulator) SeedTemplateMetrics(g chatapp.Granularity, points ...chatapp.TemplateMetric) error {
	if g == "" {
		g = chatapp.GranularityDaily
	}
	if !g.Valid() {
		return fmt.Errorf("chatapptest: SeedTemplateMetrics: unknown Granularity %q", g)
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	for i, p := range points {
		if !e.hasTemplate(p.TemplateCode, p.Language) {
			return fmt.Errorf("chatapptest: SeedTemplateMetrics: point %d: the channel has no template %q in %q", i, p.TemplateCode, p.Language)
		}
		if b := bucketStart(g, e.loc, p.Start); !b.Equal(p.Start) {
			return fmt.Errorf("chatapptest: SeedTemplateMetrics: point %d: Start %s does not begin a %s bucket in %s", i, p.Start.Format(time.RFC3339Nano), g, e.loc)
		}
	}
	for _, p := range points {
		c := templateCounts{sent: p.SentCount, delivered: p.DeliveredCount, read: p.ReadCount}
		for _, k := range p.Clicks {
			c.clicks = append(c.clicks, k.Count)
		}
		e.templateSeeds[templateSeedKey{p.TemplateCode, p.Language, g, p.Start.UnixMilli()}] = c
	}
	return nil
}

// hasTemplate reports whether the channel has the template. The caller
// holds e.mu.
func (e *Emulator) hasTemplate(code, language string) bool {
	for _, t := range e.templates {
		if t.Code == code && t.Language == language {
			return true
		}
	}
	return false
}
